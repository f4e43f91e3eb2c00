package io.daxguard.agent.remote;

import io.daxguard.agent.jmx.ObjectNames;
import io.daxguard.agent.metrics.AgentMetrics;
import java.util.Optional;
import javax.management.MBeanOperationInfo;
import javax.management.ObjectName;

/**
 * What each role may do to an MBean from outside the JVM, the one rule remote JMX ({@link RoleEnforcer}) and the
 * HTTP bridge ({@link DaxguardRestrictor}) both apply:
 *
 * <table>
 * <tr><th></th><th>monitor</th><th>control</th></tr>
 * <tr><td>read attributes (any MBean)</td><td>yes</td><td>yes</td></tr>
 * <tr><td>daxguard's INFO operations</td><td>yes</td><td>yes</td></tr>
 * <tr><td>daxguard's ACTION operations</td><td>no</td><td>yes</td></tr>
 * <tr><td>operations without a declared impact</td><td>no</td><td>no</td></tr>
 * <tr><td>any operation of another MBean (DiagnosticCommand, HotSpotDiagnostic, ...)</td><td>no</td><td>no</td></tr>
 * <tr><td>set attributes, create, register or unregister MBeans</td><td>no</td><td>no</td></tr>
 * </table>
 *
 * Attributes are never written remotely: daxguard has no writable attribute (every change is an operation,
 * and audited), and another MBean's attributes (a platform MBean's {@code Verbose}, a logger's level) are the
 * JVM's, not daxguard's. A user without a role can do nothing at all.
 */
final class RemoteAccess {
    private RemoteAccess() {
    }

    /** daxguard's own MBeans: {@code io.daxguard} and its metrics. */
    static boolean isDaxguards(ObjectName name) {
        return name.getDomain().equals(ObjectNames.DOMAIN) || name.getDomain().equals(AgentMetrics.DOMAIN);
    }

    /**
     * Why {@code role} may not invoke {@code operation} of {@code name}, whose declared impact is {@code impact}
     * (an {@link MBeanOperationInfo} constant); empty when it may.
     */
    static Optional<String> refusesOperation(Role role, ObjectName name, String operation, int impact) {
        if (!isDaxguards(name)) {
            return Optional.of("operations of " + name + " may not be invoked remotely; only daxguard's own ("
                    + ObjectNames.DOMAIN + ") may");
        }
        return switch (impact) {
            case MBeanOperationInfo.INFO -> Optional.empty();
            case MBeanOperationInfo.ACTION -> role == Role.CONTROL ? Optional.empty()
                    : Optional.of("role monitor may invoke queries only, not " + operation + " on " + name
                            + " (needs role control)");
            default -> Optional.of(operation + " on " + name + " declares no impact (INFO or ACTION) and may not be"
                    + " invoked remotely");
        };
    }

    /** Why nobody may change an attribute of {@code name} remotely. */
    static String refusesAttributeWrite(ObjectName name) {
        return "attributes may not be changed remotely (" + name + "); daxguard's changes are its ACTION operations";
    }
}
