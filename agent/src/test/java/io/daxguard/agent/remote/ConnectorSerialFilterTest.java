package io.daxguard.agent.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.math.BigDecimal;
import java.rmi.MarshalledObject;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import javax.management.AttributeChangeNotificationFilter;
import javax.management.NotificationFilterSupport;
import javax.management.ObjectName;
import javax.management.Query;
import javax.management.openmbean.CompositeDataSupport;
import javax.management.openmbean.CompositeType;
import javax.management.openmbean.OpenType;
import javax.management.openmbean.SimpleType;
import javax.management.openmbean.TabularDataSupport;
import javax.management.openmbean.TabularType;
import javax.management.relation.MBeanServerNotificationFilter;
import javax.security.auth.Subject;
import org.junit.jupiter.api.Test;

/** The connector's deserialization filter, applied to real serialized streams as the connector reads them. */
class ConnectorSerialFilterTest {
    private static final ObjectInputFilter FILTER = ObjectInputFilter.Config.createFilter(ConnectorSerialFilter.PATTERN);

    /** Serializes {@code value} and reads it back through the filter, as the connector reads a call's arguments. */
    private static Object readBack(Object value) throws IOException, ClassNotFoundException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            List<String> rejected = new ArrayList<>();
            in.setObjectInputFilter(info -> {
                ObjectInputFilter.Status status = FILTER.checkInput(info);
                if (status == ObjectInputFilter.Status.REJECTED) {
                    rejected.add(String.valueOf(info.serialClass()));
                }
                return status;
            });
            try {
                return in.readObject();
            } catch (InvalidClassException e) {
                throw new InvalidClassException(e.getMessage() + " " + rejected);
            }
        }
    }

    @Test
    void simpleOpenValuesPass() throws Exception {
        Object[] values = {"text", 1L, 2, (short) 3, (byte) 4, 5.0, 6.0f, true, 'c', BigDecimal.TEN,
            java.math.BigInteger.TWO, new Date(0), new ObjectName("io.daxguard:type=Agent"), new String[] {"a"},
            new long[] {1}, new Object[] {"x", 7L}};
        for (Object value : values) {
            assertThat(readBack(value)).as("%s", value).isNotNull();
        }
    }

    @Test
    void compositeAndTabularDataPass() throws Exception {
        CompositeType row = new CompositeType("row", "a row", new String[] {"name", "size"}, new String[] {"n", "s"},
                new OpenType<?>[] {SimpleType.STRING, SimpleType.LONG});
        TabularDataSupport table = new TabularDataSupport(new TabularType("table", "rows", row, new String[] {"name"}));
        table.put(new CompositeDataSupport(row, Map.of("name", "a", "size", 1L)));

        assertThat(readBack(table)).isEqualTo(table);
    }

    @Test
    void notificationFiltersAndQueriesPass() throws Exception {
        NotificationFilterSupport types = new NotificationFilterSupport();
        types.enableType("io.daxguard.file.damaged");
        AttributeChangeNotificationFilter attributes = new AttributeChangeNotificationFilter();
        attributes.enableAttribute("State");
        MBeanServerNotificationFilter registrations = new MBeanServerNotificationFilter();
        registrations.enableAllObjectNames();

        for (Object filter : new Object[] {types, attributes, registrations,
            Query.and(Query.eq(Query.attr("Version"), Query.value("1")), Query.gt(Query.attr("Count"), Query.value(3)))}) {
            assertThat(readBack(filter)).as("%s", filter).isNotNull();
        }
    }

    @Test
    void theConnectorsWrappersPass() throws Exception {
        assertThat(readBack(new MarshalledObject<>(new Object[] {"x"}))).isNotNull();
        assertThat(readBack(new Subject[] {null})).isNotNull();
    }

    /** A delegation subject would let a user act as another; its principal set is refused. */
    @Test
    void aSubjectIsRefused() {
        assertThatThrownBy(() -> readBack(new Subject())).isInstanceOf(InvalidClassException.class);
    }

    @Test
    void aClassOutsideTheListIsRefused() {
        assertThatThrownBy(() -> readBack(new Tripwire())).isInstanceOf(InvalidClassException.class);
        assertThatThrownBy(() -> readBack(new HashSet<>(List.of("a")))).isInstanceOf(InvalidClassException.class);
    }

    @Test
    void aMarshalledObjectKeepsTheFilterForWhatItWraps() throws Exception {
        MarshalledObject<?> wrapped = (MarshalledObject<?>) readBack(new MarshalledObject<>(new Tripwire()));

        assertThatThrownBy(wrapped::get).isInstanceOf(InvalidClassException.class);
    }

    @Test
    void aStreamDeeperThanAnyCallIsRefused() {
        Object[] deep = new Object[1];
        Object[] at = deep;
        for (int level = 0; level < 50; level++) {
            Object[] next = new Object[1];
            at[0] = next;
            at = next;
        }

        assertThatThrownBy(() -> readBack(deep)).isInstanceOf(InvalidClassException.class);
    }
}
