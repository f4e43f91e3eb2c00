package io.daxguard.agent.remote;

import java.util.List;

/**
 * What the remote JMX connector may deserialize from an authenticated client
 * ({@code jmx.remote.rmi.server.serial.filter.pattern}): the arguments of every call of the connection (object
 * names, attribute names, operation parameters, notification filters, query expressions) are read before any
 * role is checked, so a user without a role would otherwise reach the JDK's whole deserialization. Admitted are
 * the values of open types (what daxguard's MXBeans and the platform's take: strings, boxed primitives, big
 * numbers, dates, object names, composite and tabular data with their types), the JDK's notification filters
 * and query expressions, and the containers the connector wraps them in; everything else is refused, and so is
 * any stream deeper, longer or larger than a call needs. Before authentication only the user name and password
 * are read ({@code jmx.remote.rmi.server.credential.types}).
 */
final class ConnectorSerialFilter {
    /**
     * Classes a call may carry; arrays of them too (the JDK filter checks an array by its element type:
     * {@code Map$Entry} is checked for the table a {@code HashMap} allocates while it is read).
     */
    static final List<String> ADMITTED = List.of(
            // First what every call carries (the JDK's filter tries the patterns in order, for each class of every
            // call): an invoke's Object[] of parameters in a MarshalledObject, Longs and Integers (Number is their
            // serializable superclass), object names, String[] signatures.
            "java.lang.Object", "java.lang.Long", "java.lang.Number", "java.rmi.MarshalledObject",
            "javax.management.ObjectName", "java.lang.String", "java.lang.Integer",
            // Open types' other simple values.
            "java.lang.Boolean", "java.lang.Character", "java.lang.Byte", "java.lang.Short",
            "java.lang.Float", "java.lang.Double",
            "java.math.BigInteger", "java.math.BigDecimal", "java.util.Date",
            // Open types' composite values and the types that describe them.
            "javax.management.openmbean.CompositeDataSupport", "javax.management.openmbean.TabularDataSupport",
            "javax.management.openmbean.OpenType", "javax.management.openmbean.SimpleType",
            "javax.management.openmbean.CompositeType", "javax.management.openmbean.TabularType",
            "javax.management.openmbean.ArrayType", "java.util.TreeMap", "java.util.HashMap", "java.util.LinkedHashMap",
            "java.util.Map$Entry", "java.util.Arrays$ArrayList",
            "java.util.ArrayList", "java.util.Collections$UnmodifiableRandomAccessList",
            "java.util.Collections$UnmodifiableList", "java.util.Collections$UnmodifiableCollection",
            // Object (first above) admits Object[], an invoke's parameters: Object itself is not serializable. The
            // connector's own wrappers: parameters travel as MarshalledObjects (first above);
            // addNotificationListeners sends an array of delegation subjects, all null. A Subject itself carries its
            // principals in a set this list does not admit, so no caller can delegate to (act as) another user.
            "javax.security.auth.Subject",
            "javax.management.Attribute", "javax.management.AttributeList",
            // Notification filters a client may register (their enabled types travel in a Vector).
            "javax.management.NotificationFilterSupport", "javax.management.AttributeChangeNotificationFilter",
            "javax.management.relation.MBeanServerNotificationFilter", "java.util.Vector",
            // Query expressions of queryNames/queryMBeans: they only read attributes, which every role may.
            "javax.management.QueryEval", "javax.management.AndQueryExp", "javax.management.OrQueryExp", "javax.management.NotQueryExp",
            "javax.management.BetweenQueryExp", "javax.management.BinaryRelQueryExp", "javax.management.InQueryExp",
            "javax.management.MatchQueryExp", "javax.management.InstanceOfQueryExp",
            "javax.management.BinaryOpValueExp", "javax.management.AttributeValueExp",
            "javax.management.QualifiedAttributeValueExp", "javax.management.ClassAttributeValueExp",
            "javax.management.StringValueExp", "javax.management.NumericValueExp",
            "javax.management.BooleanValueExp");

    /** Bounds far above any call daxguard's MBeans take, far below what exhausts the agent's memory. */
    private static final String LIMITS = "maxdepth=20;maxrefs=10000;maxarray=100000;maxbytes=4194304";

    /** The filter, in {@link java.io.ObjectInputFilter.Config#createFilter} syntax; {@code !*} refuses the rest. */
    static final String PATTERN = LIMITS + ";" + String.join(";", ADMITTED) + ";!*";

    private ConnectorSerialFilter() {
    }
}
