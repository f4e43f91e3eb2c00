package io.daxguard.agent.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daxguard.agent.config.DaxguardConfig;
import io.daxguard.agent.daemon.AgentService;
import io.daxguard.agent.jmx.ObjectNames;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.management.MBeanServerConnection;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Remote JMX with the password file and the monitor/control roles, over real RMI connections. */
class RemoteJmxAuthenticationTest {
    @TempDir
    static Path home;
    private static AgentService service;
    private static JMXServiceURL url;

    @BeforeAll
    static void startAgentWithRemoteJmx() throws Exception {
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/jmxremote.password"), """
                watcher watcher-secret
                operator operator-secret
                stranger stranger-secret
                """);
        Files.writeString(home.resolve("conf/jmxremote.access"), """
                # roles
                watcher monitor
                operator control
                """);
        service = RemoteJmxAgent.start(home, "");
        url = service.remoteAddress().orElseThrow();
    }

    @AfterAll
    static void stopAgent() {
        if (service != null) {
            service.close();
        }
    }

    private static JMXConnector connect(String user, String password) throws Exception {
        return JMXConnectorFactory.connect(url, Map.of(JMXConnector.CREDENTIALS, new String[] {user, password}));
    }

    private static Object refreshTopologyAs(String user, String password) throws Exception {
        try (JMXConnector connector = connect(user, password)) {
            return connector.getMBeanServerConnection().invoke(ObjectNames.agent(), "refreshTopology", new Object[0],
                    new String[0]);
        }
    }

    @Test
    void aClientWithoutCredentialsIsRefused() {
        assertThatThrownBy(() -> JMXConnectorFactory.connect(url).close()).isInstanceOf(SecurityException.class);
    }

    @Test
    void aWrongPasswordIsRefused() {
        assertThatThrownBy(() -> connect("operator", "guess").close()).isInstanceOf(SecurityException.class);
    }

    @Test
    void theUrlUsesOnePortForRegistryAndConnector() {
        assertThat(url.toString()).isEqualTo("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + url.toString()
                .replaceAll(".*:(\\d+)/jmxrmi$", "$1") + "/jmxrmi");
    }

    @Test
    void aMonitorReadsAttributes() throws Exception {
        try (JMXConnector connector = connect("watcher", "watcher-secret")) {
            assertThat(connector.getMBeanServerConnection().getAttribute(ObjectNames.agent(), "DamageRecords"))
                    .isInstanceOf(Long.class);
        }
    }

    @Test
    void aMonitorMayRunAQuery() throws Exception {
        try (JMXConnector connector = connect("watcher", "watcher-secret")) {
            Object status = connector.getMBeanServerConnection().invoke(ObjectNames.agent(), "status", new Object[0],
                    new String[0]);

            assertThat((String) status).startsWith("daxguard ");
        }
    }

    @Test
    void aMonitorCallingAnActionIsRefusedNamingTheRoleNeeded() {
        assertThatThrownBy(() -> refreshTopologyAs("watcher", "watcher-secret"))
                .isInstanceOf(SecurityException.class)
                .hasMessageContaining("needs role control");
    }

    @Test
    void aControllerMayCallAnAction() throws Exception {
        assertThat(refreshTopologyAs("operator", "operator-secret")).isNull();
    }

    @Test
    void aUserWithoutARoleMayNotEvenLogIn() {
        assertThatThrownBy(() -> connect("stranger", "stranger-secret").close())
                .isInstanceOf(SecurityException.class).hasMessageContaining("has no role");
    }

    @Test
    void noRemoteUserMayCreateMBeans() throws Exception {
        try (JMXConnector connector = connect("operator", "operator-secret")) {
            MBeanServerConnection connection = connector.getMBeanServerConnection();

            assertThatThrownBy(() -> connection.createMBean("javax.management.timer.Timer",
                    new ObjectName("evil:type=Timer"))).isInstanceOf(SecurityException.class);
        }
    }

    @Test
    void theJdkHashesClearTextPasswordsInThePasswordFile() throws Exception {
        connect("watcher", "watcher-secret").close();

        assertThat(Files.readString(home.resolve("conf/jmxremote.password"))).doesNotContain("watcher-secret");
    }

    @Test
    void theHttpBridgeAcceptsAPasswordTheJdkHashed() throws Exception {
        connect("operator", "operator-secret").close();

        assertThat(new PasswordFile(home.resolve("conf/jmxremote.password")).accepts("operator", "operator-secret"))
                .isTrue();
    }

    @Test
    void theHttpBridgeRefusesAWrongPasswordAgainstAHash() throws Exception {
        connect("operator", "operator-secret").close();

        assertThat(new PasswordFile(home.resolve("conf/jmxremote.password")).accepts("operator", "operator-secreT"))
                .isFalse();
    }

    @Test
    void remoteWithoutAuthenticationRefusesToStartWithoutTheInsecureFlag() {
        DaxguardConfig insecure = new DaxguardConfig(null, null, null, new io.daxguard.agent.config.JmxConfig(true,
                new io.daxguard.agent.config.RemoteJmxConfig(true, "127.0.0.1", 1, false, false, null, null, null, null, null)),
                null, null, null, null, null, null, null, null, null, null);

        assertThatThrownBy(() -> AgentService.init(insecure, home, MBeanServerFactory.newMBeanServer()))
                .hasMessageContaining("allowInsecure");
    }

    /**
     * After a login the JDK has hashed the file's clear passwords ({@code user salt hash algorithm}); the HTTP bridge
     * reads the same file, and must accept what the JDK wrote, also in its documented three-field form (no
     * algorithm: SHA3-512).
     */
    @Test
    void theBridgeAcceptsThePasswordsTheJdkHashedInBothOfItsForms() throws Exception {
        connect("watcher", "watcher-secret").close();
        Path file = home.resolve("conf/jmxremote.password");
        String hashed = java.nio.file.Files.readAllLines(file).stream().filter(line -> line.startsWith("watcher "))
                .findFirst().orElseThrow();
        assertThat(hashed.trim().split("\\s+")).as("the JDK hashed the line").hasSize(4);
        Path threeFields = home.resolve("conf/three-fields.password");
        java.nio.file.Files.writeString(threeFields, hashed.trim().replaceAll("\\s+\\S+$", "") + "\n");

        assertThat(new PasswordFile(file).accepts("watcher", "watcher-secret")).isTrue();
        assertThat(new PasswordFile(file).accepts("watcher", "watcher-guess")).isFalse();
        assertThat(new PasswordFile(threeFields).accepts("watcher", "watcher-secret")).isTrue();
    }
}
