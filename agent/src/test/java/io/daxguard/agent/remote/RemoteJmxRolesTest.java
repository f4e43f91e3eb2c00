package io.daxguard.agent.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daxguard.agent.daemon.AgentService;
import io.daxguard.agent.jmx.ObjectNames;
import io.daxguard.testkit.ScratchFilesystem;
import java.io.InvalidClassException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import javax.management.Attribute;
import javax.management.AttributeChangeNotificationFilter;
import javax.management.MBeanOperationInfo;
import javax.management.MBeanServer;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.Query;
import javax.management.openmbean.CompositeData;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXPrincipal;
import javax.management.remote.JMXServiceURL;
import javax.security.auth.Subject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What each role may do over real remote JMX, with the agent's MBeans in the platform MBean server (the default,
 * {@code jmx.local: true}), where the JVM's own MBeans (DiagnosticCommand, HotSpotDiagnostic, ...) sit behind the
 * same connector: a monitor ({@code watcher}), a control user ({@code operator}) and an authenticated user with
 * no role ({@code stranger}).
 */
class RemoteJmxRolesTest {
    private static final ObjectName DIAGNOSTIC_COMMAND = name("com.sun.management:type=DiagnosticCommand");
    private static final ObjectName HOTSPOT_DIAGNOSTIC = name("com.sun.management:type=HotSpotDiagnostic");
    private static final ObjectName MEMORY = name("java.lang:type=Memory");
    private static final String FOREIGN_QUERY = "io.daxguard.test.elsewhere:type=Probe";
    private static final String UNDECLARED = "io.daxguard:type=UndeclaredProbe";

    /** A filesystem the agent holds, for the queries of its Filesystem MBean; mounted before the agent starts. */
    @RegisterExtension
    static final ScratchFilesystem XFS = ScratchFilesystem.xfs().build();

    @TempDir
    static Path home;
    private static final MBeanServer PLATFORM = ManagementFactory.getPlatformMBeanServer();
    private static AgentService service;
    private static JMXServiceURL url;
    private static ProbeMBeans.Probe foreignQuery;
    private static ProbeMBeans.Probe undeclared;

    @BeforeAll
    static void startAgentInThePlatformServer() throws Exception {
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/jmxremote.password"), """
                watcher watcher-secret
                operator operator-secret
                stranger stranger-secret
                """);
        Files.writeString(home.resolve("conf/jmxremote.access"), """
                watcher monitor
                operator control
                """);
        foreignQuery = ProbeMBeans.register(PLATFORM, FOREIGN_QUERY, MBeanOperationInfo.INFO);
        undeclared = ProbeMBeans.register(PLATFORM, UNDECLARED, MBeanOperationInfo.UNKNOWN);
        service = RemoteJmxAgent.start(home, "", PLATFORM);
        url = service.remoteAddress().orElseThrow();
    }

    @AfterAll
    static void stopAgent() throws Exception {
        if (service != null) {
            service.close();
        }
        for (String probe : new String[] {FOREIGN_QUERY, UNDECLARED}) {
            if (PLATFORM.isRegistered(new ObjectName(probe))) {
                PLATFORM.unregisterMBean(new ObjectName(probe));
            }
        }
    }

    private static ObjectName name(String name) {
        try {
            return new ObjectName(name);
        } catch (javax.management.MalformedObjectNameException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static JMXConnector connect(String user) throws Exception {
        return JMXConnectorFactory.connect(url, Map.of(JMXConnector.CREDENTIALS, new String[] {user, user + "-secret"}));
    }

    @FunctionalInterface
    private interface Call {
        Object on(MBeanServerConnection connection) throws Exception;
    }

    private static Object as(String user, Call call) throws Exception {
        try (JMXConnector connector = connect(user)) {
            return call.on(connector.getMBeanServerConnection());
        }
    }

    @Test
    void controlMayNotRunADiagnosticCommand() {
        assertThatThrownBy(() -> as("operator", connection -> connection.invoke(DIAGNOSTIC_COMMAND, "vmVersion",
                new Object[0], new String[0])))
                .isInstanceOf(SecurityException.class).hasMessageContaining("may not be invoked remotely");
    }

    @Test
    void controlMayNotDumpTheHeap() {
        Path dump = home.resolve("heap.hprof");

        assertThatThrownBy(() -> as("operator", connection -> connection.invoke(HOTSPOT_DIAGNOSTIC, "dumpHeap",
                new Object[] {dump.toString(), true}, new String[] {"java.lang.String", "boolean"})))
                .isInstanceOf(SecurityException.class);
        assertThat(dump).doesNotExist();
    }

    @Test
    void controlMayNotChangeAPlatformAttribute() throws Exception {
        boolean verbose = (Boolean) PLATFORM.getAttribute(MEMORY, "Verbose");

        assertThatThrownBy(() -> as("operator", connection -> {
            connection.setAttribute(MEMORY, new Attribute("Verbose", !verbose));
            return null;
        })).isInstanceOf(SecurityException.class).hasMessageContaining("may not be changed remotely");
        assertThat(PLATFORM.getAttribute(MEMORY, "Verbose")).isEqualTo(verbose);
    }

    @Test
    void controlMayNotRunAPlatformAction() {
        assertThatThrownBy(() -> as("operator", connection -> connection.invoke(MEMORY, "gc", new Object[0],
                new String[0]))).isInstanceOf(SecurityException.class);
    }

    @Test
    void aMonitorMayNotRunAQueryOfAnotherMBean() {
        assertThatThrownBy(() -> as("watcher", connection -> connection.invoke(name(FOREIGN_QUERY), "probe",
                new Object[0], new String[0]))).isInstanceOf(SecurityException.class);
        assertThat(foreignQuery.calls).hasValue(0);
    }

    @Test
    void anOperationOfDaxguardThatDeclaresNoImpactIsRefusedEvenToControl() {
        assertThatThrownBy(() -> as("operator", connection -> connection.invoke(name(UNDECLARED), "probe",
                new Object[0], new String[0])))
                .isInstanceOf(SecurityException.class).hasMessageContaining("declares no impact");
        assertThat(undeclared.calls).hasValue(0);
    }

    @Test
    void aMonitorMayNotRunAnActionOfDaxguard() {
        assertThatThrownBy(() -> as("watcher", connection -> connection.invoke(ObjectNames.agent(), "refreshTopology",
                new Object[0], new String[0])))
                .isInstanceOf(SecurityException.class).hasMessageContaining("needs role control");
    }

    @Test
    void controlRunsAnActionOfDaxguard() throws Exception {
        assertThat(as("operator", connection -> connection.invoke(ObjectNames.agent(), "refreshTopology",
                new Object[0], new String[0]))).isNull();
    }

    @Test
    void aMonitorRunsAQueryOfDaxguard() throws Exception {
        assertThat((String) as("watcher", connection -> connection.invoke(ObjectNames.agent(), "status",
                new Object[0], new String[0]))).startsWith("daxguard ");
    }

    @Test
    void aMonitorResolvesManyRangesInOneCall() throws Exception {
        Object[] answer = (Object[]) as("watcher", connection -> connection.invoke(
                ObjectNames.filesystem(XFS.mountPoint().toString()), "resolveRanges",
                new Object[] {new long[] {0, 4096}, new long[] {4096, 4096}}, new String[] {"[J", "[J"}));

        assertThat(answer).hasSize(2);
    }

    @Test
    void aMonitorResolvesManyRangesAsColumnsInOneCall() throws Exception {
        CompositeData answer = (CompositeData) as("watcher", connection -> connection.invoke(
                ObjectNames.filesystem(XFS.mountPoint().toString()), "resolveRangesAsColumns",
                new Object[] {new long[] {0, 4096}, new long[] {4096, 4096}}, new String[] {"[J", "[J"}));

        assertThat(answer.get("ranges")).isEqualTo(2);
    }

    @Test
    void aMonitorMayNotReportFailures() {
        assertThatThrownBy(() -> as("watcher", connection -> connection.invoke(ObjectNames.agent(), "reportFailures",
                new Object[] {new String[] {"loop0"}, new long[] {0}, new long[] {8}, new int[] {5}},
                new String[] {"[Ljava.lang.String;", "[J", "[J", "[I"})))
                .isInstanceOf(SecurityException.class).hasMessageContaining("needs role control");
    }

    @Test
    void bothRolesReadAttributesOfPlatformMBeans() throws Exception {
        for (String user : new String[] {"watcher", "operator"}) {
            assertThat(as(user, connection -> connection.getAttribute(name("java.lang:type=Runtime"), "VmName")))
                    .isEqualTo(ManagementFactory.getRuntimeMXBean().getVmName());
        }
    }

    @Test
    void noRemoteUserMayCreateAnMLet() {
        assertThatThrownBy(() -> as("operator", connection -> connection.createMBean(
                "javax.management.loading.MLet", name("attack:type=MLet")))).isInstanceOf(SecurityException.class);
        assertThat(PLATFORM.isRegistered(name("attack:type=MLet"))).isFalse();
    }

    @Test
    void noRemoteUserMayUnregisterAPlatformMBean() {
        assertThatThrownBy(() -> as("operator", connection -> {
            connection.unregisterMBean(HOTSPOT_DIAGNOSTIC);
            return null;
        })).isInstanceOf(SecurityException.class);
        assertThat(PLATFORM.isRegistered(HOTSPOT_DIAGNOSTIC)).isTrue();
    }

    @Test
    void aUserWithoutARoleMayNotListMBeans() {
        assertThatThrownBy(() -> as("stranger", connection -> connection.queryNames(null, null)))
                .isInstanceOf(SecurityException.class).hasMessageContaining("has no role");
    }

    @Test
    void aUserWithoutARoleMayNotRunAQuery() {
        assertThatThrownBy(() -> as("stranger", connection -> connection.invoke(ObjectNames.agent(), "status",
                new Object[0], new String[0]))).isInstanceOf(SecurityException.class);
    }

    /** A delegation subject would let a monitor act as a control user; it is refused by the connector's filter. */
    @Test
    void aMonitorCannotActAsAnotherUser() throws Exception {
        Subject operator = new Subject(true, Set.of(new JMXPrincipal("operator")), Set.of(), Set.of());
        try (JMXConnector connector = connect("watcher")) {
            MBeanServerConnection delegated = connector.getMBeanServerConnection(operator);

            assertThatThrownBy(() -> delegated.invoke(ObjectNames.agent(), "refreshTopology", new Object[0],
                    new String[0])).isInstanceOf(java.rmi.UnmarshalException.class)
                    .hasStackTraceContaining("filter status: REJECTED"); // the delegated Subject never reaches a role check
        }
    }

    /**
     * The arguments of a call are read before any role is checked: the filter must stop them first, so the class
     * is never deserialized, even for a user whose every call is refused. (The client answers the failed call
     * with a probe of the connection, which a user without a role is refused too; what the server did is what
     * counts.)
     */
    @Test
    void aSerializedObjectOutsideTheAllowListIsNeverDeserializedForAUserWithoutARole() {
        int before = Tripwire.deserialized.get();

        assertThatThrownBy(() -> as("stranger", connection -> connection.invoke(ObjectNames.agent(), "status",
                new Object[] {new Tripwire()}, new String[] {Tripwire.class.getName()})));
        assertThat(Tripwire.deserialized).hasValue(before);
    }

    @Test
    void aSerializedObjectOutsideTheAllowListIsRefusedByTheFilter() {
        int before = Tripwire.deserialized.get();

        assertThatThrownBy(() -> as("operator", connection -> connection.invoke(ObjectNames.agent(), "status",
                new Object[] {new Tripwire()}, new String[] {Tripwire.class.getName()})))
                .isInstanceOf(InvalidClassException.class).hasMessageContaining("REJECTED");
        assertThat(Tripwire.deserialized).hasValue(before);
    }

    @Test
    void notificationFiltersAndQueriesStillPassTheFilter() throws Exception {
        try (JMXConnector connector = connect("watcher")) {
            MBeanServerConnection connection = connector.getMBeanServerConnection();
            AttributeChangeNotificationFilter filter = new AttributeChangeNotificationFilter();
            filter.enableAttribute("State");

            connection.addNotificationListener(ObjectNames.agent(), (notification, handback) -> { }, filter, null);

            assertThat(connection.queryNames(new ObjectName(ObjectNames.DOMAIN + ":*"),
                    Query.eq(Query.attr("Version"), Query.value(io.daxguard.agent.daemon.Agent.version()))))
                    .containsExactly(ObjectNames.agent());
        }
    }
}
