package io.daxguard.agent.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daxguard.agent.daemon.AgentService;
import io.daxguard.agent.jmx.ObjectNames;
import java.nio.file.Files;
import java.nio.file.Path;
import java.rmi.MarshalledObject;
import java.rmi.registry.LocateRegistry;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.MBeanOperationInfo;
import javax.management.MBeanServerConnection;
import javax.management.MBeanServerDelegate;
import javax.management.MBeanServerNotification;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import javax.management.remote.NotificationResult;
import javax.management.remote.TargetedNotification;
import javax.management.remote.rmi.RMIConnection;
import javax.management.remote.rmi.RMIServer;
import javax.security.auth.Subject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Remote JMX decides every call by the access file as it is at that call, over real RMI connections: a role taken
 * away, lowered or given holds at the next call of a connection opened before the edit, for notifications too, and
 * an access file that cannot be used grants nothing. Each test starts from {@link #ROLES}.
 */
class RemoteJmxAccessFileChangesTest {
    private static final String ROLES = """
            watcher monitor
            operator control
            """;

    private static final String PASSWORDS = """
            watcher watcher-secret
            operator operator-secret
            """;

    @TempDir
    static Path home;
    private static AgentService service;
    private static JMXServiceURL url;

    @BeforeAll
    static void startAgentWithRemoteJmx() throws Exception {
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/jmxremote.password"), PASSWORDS);
        Files.writeString(home.resolve("conf/jmxremote.access"), ROLES);
        service = RemoteJmxAgent.start(home, "");
        url = service.remoteAddress().orElseThrow();
    }

    @AfterAll
    static void stopAgent() {
        if (service != null) {
            service.close();
        }
    }

    @BeforeEach
    void restoreTheFiles() throws Exception {
        grant(ROLES);
        Files.writeString(home.resolve("conf/jmxremote.password"), PASSWORDS);
    }

    /** Replaces the access file's content in place, as an administrator's editor would. */
    private static void grant(String roles) throws Exception {
        Files.writeString(home.resolve("conf/jmxremote.access"), roles);
    }

    private static JMXConnector connect(String user) throws Exception {
        return JMXConnectorFactory.connect(url, Map.of(JMXConnector.CREDENTIALS, new String[] {user, user + "-secret"}));
    }

    private static Object refreshTopology(MBeanServerConnection connection) throws Exception {
        return connection.invoke(ObjectNames.agent(), "refreshTopology", new Object[0], new String[0]);
    }

    private static Object version(MBeanServerConnection connection) throws Exception {
        return connection.getAttribute(ObjectNames.agent(), "Version");
    }

    @Test
    void anOperatorDemotedWhileConnectedIsRefusedTheNextActionButStillReads() throws Exception {
        try (JMXConnector operator = connect("operator")) {
            MBeanServerConnection connection = operator.getMBeanServerConnection();
            assertThat(refreshTopology(connection)).isNull();

            grant("watcher monitor\noperator monitor\n");

            assertThatThrownBy(() -> refreshTopology(connection)).isInstanceOf(SecurityException.class)
                    .hasMessageContaining("needs role control");
            assertThat(version(connection)).isNotNull();
        }
    }

    @Test
    void anOperatorRemovedWhileConnectedIsRefusedEvenReadsOnThatConnection() throws Exception {
        try (JMXConnector operator = connect("operator")) {
            MBeanServerConnection connection = operator.getMBeanServerConnection();
            assertThat(version(connection)).isNotNull();

            grant("watcher monitor\n");

            assertThatThrownBy(() -> version(connection)).isInstanceOf(SecurityException.class)
                    .hasMessageContaining("has no role");
        }
    }

    @Test
    void anOperatorRemovedAndAddedAgainActsAgainOnTheSameConnection() throws Exception {
        try (JMXConnector operator = connect("operator")) {
            MBeanServerConnection connection = operator.getMBeanServerConnection();
            grant("watcher monitor\n");
            assertThatThrownBy(() -> version(connection)).isInstanceOf(SecurityException.class);

            grant(ROLES);

            assertThat(refreshTopology(connection)).isNull();
        }
    }

    @Test
    void aUserRemovedFromTheFileCannotLogInAgain() throws Exception {
        connect("operator").close();

        grant("watcher monitor\n");

        assertThatThrownBy(() -> connect("operator").close()).isInstanceOf(SecurityException.class)
                .hasMessageContaining("has no role");
    }

    /** The JDK's login reads the password file at every login (and hashes clear-text lines again). */
    @Test
    void aPasswordChangedInThePasswordFileHoldsAtTheNextLogin() throws Exception {
        connect("operator").close();

        Files.writeString(home.resolve("conf/jmxremote.password"), "watcher watcher-secret\noperator renewed\n");

        assertThatThrownBy(() -> connect("operator").close()).isInstanceOf(SecurityException.class);
        JMXConnectorFactory.connect(url, Map.of(JMXConnector.CREDENTIALS, new String[] {"operator", "renewed"}))
                .close();
    }

    @Test
    void aMonitorPromotedWhileConnectedMayActAtOnce() throws Exception {
        try (JMXConnector watcher = connect("watcher")) {
            MBeanServerConnection connection = watcher.getMBeanServerConnection();
            assertThatThrownBy(() -> refreshTopology(connection)).isInstanceOf(SecurityException.class);

            grant("watcher control\noperator control\n");

            assertThat(refreshTopology(connection)).isNull();
        }
    }

    @Test
    void anAccessFileMadeGarbageWhileRunningRefusesEveryRequestOfEveryone() throws Exception {
        try (JMXConnector operator = connect("operator"); JMXConnector watcher = connect("watcher")) {
            grant("\u0000\u00ff garbage that is no access file\n");

            for (MBeanServerConnection connection : List.of(operator.getMBeanServerConnection(),
                    watcher.getMBeanServerConnection())) {
                assertThatThrownBy(() -> version(connection)).isInstanceOf(SecurityException.class);
                assertThatThrownBy(() -> connection.invoke(ObjectNames.agent(), "status", new Object[0],
                        new String[0])).isInstanceOf(SecurityException.class);
                assertThatThrownBy(() -> refreshTopology(connection)).isInstanceOf(SecurityException.class);
                assertThatThrownBy(() -> connection.queryNames(null, null)).isInstanceOf(SecurityException.class);
            }
            assertThatThrownBy(() -> connect("operator").close()).isInstanceOf(SecurityException.class);
        }
    }

    @Test
    void anAccessFileFixedAfterGarbageGrantsAgainOnTheOpenConnection() throws Exception {
        try (JMXConnector operator = connect("operator")) {
            MBeanServerConnection connection = operator.getMBeanServerConnection();
            grant("operator\n");
            assertThatThrownBy(() -> version(connection)).isInstanceOf(SecurityException.class);

            grant(ROLES);

            assertThat(refreshTopology(connection)).isNull();
        }
    }

    /**
     * The connector's own protocol, {@link RMIConnection}, as every JMX client speaks it: a fetch with no wait answers
     * with what the server lets through of what is already buffered, so what a user is delivered is seen without
     * waiting for something not to arrive.
     */
    @Test
    void aListenerOfAUserRemovedFromTheFileIsDeliveredNoFurtherNotification() throws Exception {
        RMIConnection watcher = login("watcher");
        try {
            watcher.addNotificationListeners(new ObjectName[] {MBeanServerDelegate.DELEGATE_NAME},
                    new MarshalledObject<?>[] {null}, new Subject[] {null});
            long next = watcher.fetchNotifications(-1, 0, 0).getNextSequenceNumber();
            NotificationResult whileListed = fetchAfterRegistering(watcher, next, "io.daxguard.test:type=Heard");
            assertThat(registered(whileListed)).as("delivered while the watcher has a role")
                    .contains("io.daxguard.test:type=Heard");

            grant("operator control\n");

            NotificationResult afterRemoval = fetchAfterRegistering(watcher, whileListed.getNextSequenceNumber(),
                    "io.daxguard.test:type=Unheard");
            assertThat(registered(afterRemoval)).doesNotContain("io.daxguard.test:type=Unheard");
        } finally {
            watcher.close();
            for (String probe : List.of("io.daxguard.test:type=Heard", "io.daxguard.test:type=Unheard")) {
                if (service.mbeanServer().isRegistered(new ObjectName(probe))) {
                    service.mbeanServer().unregisterMBean(new ObjectName(probe));
                }
            }
        }
    }

    @Test
    void aUserRemovedWhileConnectedMayNotAddAListener() throws Exception {
        try (JMXConnector watcher = connect("watcher")) {
            MBeanServerConnection connection = watcher.getMBeanServerConnection();

            grant("operator control\n");

            assertThatThrownBy(() -> connection.addNotificationListener(MBeanServerDelegate.DELEGATE_NAME,
                    (notification, handback) -> { }, null, null)).isInstanceOf(SecurityException.class)
                    .hasMessageContaining("has no role");
        }
    }

    /** Every read there is, batch and query forms included, is refused to a user removed while connected. */
    @Test
    void aUserRemovedWhileConnectedReadsNothingInAnyForm() throws Exception {
        try (JMXConnector operator = connect("operator")) {
            MBeanServerConnection connection = operator.getMBeanServerConnection();
            ObjectName agent = ObjectNames.agent();

            grant("watcher monitor\n");

            List<ThrowingCall> reads = List.of(
                    () -> connection.getAttributes(agent, new String[] {"Version", "State"}),
                    () -> connection.queryNames(new ObjectName(ObjectNames.DOMAIN + ":*"), null),
                    () -> connection.queryMBeans(null, null),
                    () -> connection.getMBeanInfo(agent),
                    () -> connection.isRegistered(agent),
                    () -> connection.getMBeanCount(),
                    () -> connection.getDomains(),
                    () -> connection.getDefaultDomain(),
                    () -> connection.getObjectInstance(agent),
                    () -> connection.isInstanceOf(agent, "javax.management.NotificationBroadcaster"));
            for (ThrowingCall read : reads) {
                assertThatThrownBy(read::call).isInstanceOf(SecurityException.class)
                        .hasMessageContaining("has no role");
            }
        }
    }

    /** A demoted operator tries the other ways to act: batch writes, an ACTION by another signature, a getter. */
    @Test
    void anOperatorDemotedWhileConnectedCannotActInAnyOtherForm() throws Exception {
        try (JMXConnector operator = connect("operator")) {
            MBeanServerConnection connection = operator.getMBeanServerConnection();
            ObjectName agent = ObjectNames.agent();

            grant("watcher monitor\noperator monitor\n");

            List<ThrowingCall> actions = List.of(
                    () -> connection.setAttributes(agent, new AttributeList(List.of(new Attribute("Version", "x")))),
                    () -> {
                        connection.setAttribute(agent, new Attribute("Version", "x"));
                        return null;
                    },
                    () -> connection.invoke(agent, "getVersion", new Object[0], new String[0]),
                    () -> connection.invoke(agent, "refreshTopology", null, null),
                    () -> connection.invoke(agent, "reportFailures", new Object[] {new String[] {"loop0"},
                            new long[] {0}, new long[] {8}, new int[] {5}},
                            new String[] {"[Ljava.lang.String;", "[J", "[J", "[I"}));
            for (ThrowingCall action : actions) {
                assertThatThrownBy(action::call).isInstanceOf(SecurityException.class);
            }
        }
    }

    /**
     * A user without a role is refused at login, so only one removed while connected can still send arguments:
     * the connector's filter must stop a gadget before any role is looked at, for that user too.
     */
    @Test
    void aUserRemovedWhileConnectedHasNoObjectOutsideTheAllowListDeserialized() throws Exception {
        int before = Tripwire.deserialized.get();
        try (JMXConnector operator = connect("operator")) {
            MBeanServerConnection connection = operator.getMBeanServerConnection();

            grant("watcher monitor\n");

            assertThatThrownBy(() -> connection.invoke(ObjectNames.agent(), "status", new Object[] {new Tripwire()},
                    new String[] {Tripwire.class.getName()}));
        }
        assertThat(Tripwire.deserialized).hasValue(before);
    }

    @FunctionalInterface
    private interface ThrowingCall {
        Object call() throws Exception;
    }

    /** Logs in by the connector's own protocol (what {@link JMXConnectorFactory} does underneath). */
    private static RMIConnection login(String user) throws Exception {
        String address = url.getURLPath().replaceFirst("^/jndi/rmi://", "");
        String host = address.substring(0, address.lastIndexOf(':'));
        int port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1, address.indexOf('/')));
        RMIServer server = (RMIServer) LocateRegistry.getRegistry(host, port).lookup("jmxrmi");
        return server.newClient(new String[] {user, user + "-secret"});
    }

    /** Registers a probe MBean (the delegate announces it) and fetches, without waiting, from {@code sequence}. */
    private static NotificationResult fetchAfterRegistering(RMIConnection connection, long sequence, String probe)
            throws Exception {
        ProbeMBeans.register(service.mbeanServer(), probe, MBeanOperationInfo.INFO);
        return connection.fetchNotifications(sequence, 100, 0);
    }

    private static List<String> registered(NotificationResult result) {
        return Arrays.stream(result.getTargetedNotifications()).map(TargetedNotification::getNotification)
                .filter(MBeanServerNotification.class::isInstance)
                .map(notification -> ((MBeanServerNotification) notification).getMBeanName().toString()).toList();
    }
}
