package io.daxguard.agent.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daxguard.agent.daemon.AgentService;
import io.daxguard.agent.jmx.ObjectNames;
import java.nio.file.Path;
import javax.management.MBeanServer;
import javax.management.MBeanServerConnection;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A connector without authentication ({@code allowInsecure}) still enforces roles: every caller has the anonymous role. */
class InsecureRemoteJmxTest {
    @TempDir
    static Path home;
    private static final MBeanServer SERVER = MBeanServerFactory.newMBeanServer();
    private static AgentService service;
    private static JMXConnector connector;
    private static MBeanServerConnection anonymous;

    @BeforeAll
    static void startAnInsecureAgent() throws Exception {
        service = RemoteJmxAgent.start(home, """
                    authenticate: false
                    allowInsecure: true
                """, SERVER);
        connector = JMXConnectorFactory.connect(service.remoteAddress().orElseThrow());
        anonymous = connector.getMBeanServerConnection();
    }

    @AfterAll
    static void stopAgent() throws Exception {
        if (connector != null) {
            connector.close();
        }
        if (service != null) {
            service.close();
        }
    }

    @Test
    void anAnonymousCallerMayNotCreateAnMLet() throws Exception {
        ObjectName mlet = new ObjectName("attack:type=MLet");

        assertThatThrownBy(() -> anonymous.createMBean("javax.management.loading.MLet", mlet))
                .isInstanceOf(SecurityException.class);
        assertThat(SERVER.isRegistered(mlet)).isFalse();
    }

    @Test
    void anAnonymousCallerIsAMonitorByDefault() {
        assertThatThrownBy(() -> anonymous.invoke(ObjectNames.agent(), "refreshTopology", new Object[0],
                new String[0])).isInstanceOf(SecurityException.class).hasMessageContaining("needs role control");
    }

    @Test
    void anAnonymousCallerRunsQueries() throws Exception {
        assertThat((String) anonymous.invoke(ObjectNames.agent(), "status", new Object[0], new String[0]))
                .startsWith("daxguard ");
    }

    @Test
    void aConnectionStartsNoIdleTimeoutThreadThatEveryCallWouldWake() throws Exception {
        java.util.Set<Thread> before = idleTimeoutThreads();

        try (JMXConnector another = JMXConnectorFactory.connect(service.remoteAddress().orElseThrow())) {
            another.getMBeanServerConnection().getAttribute(ObjectNames.agent(), "Version");

            assertThat(idleTimeoutThreads()).isSubsetOf(before);
        }
    }

    /** The JDK connector's per-connection idle timers (they run in this JVM, the agent's). */
    private static java.util.Set<Thread> idleTimeoutThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().startsWith("JMX server connection timeout"))
                .collect(java.util.stream.Collectors.toSet());
    }

    @Test
    void anAnonymousCallerMayNotUnregisterDaxguardsMBeans() {
        assertThatThrownBy(() -> anonymous.unregisterMBean(ObjectNames.agent())).isInstanceOf(SecurityException.class);
    }
}
