package io.daxguard.agent.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daxguard.agent.daemon.AgentService;
import io.daxguard.agent.jmx.ObjectNames;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.login.Configuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Remote JMX authenticating through a JAAS login configuration entry instead of the password file. */
class RemoteJmxJaasTest {
    private static final String ENTRY = "DaxguardJaasTest";

    @TempDir
    static Path home;
    private static AgentService service;
    private static Configuration previous;

    @BeforeAll
    static void startAgentWithJaas() throws Exception {
        previous = Configuration.getConfiguration();
        Configuration.setConfiguration(new Configuration() {
            @Override
            public AppConfigurationEntry[] getAppConfigurationEntry(String name) {
                return ENTRY.equals(name) ? new AppConfigurationEntry[] {new AppConfigurationEntry(
                        AcceptingLoginModule.class.getName(), AppConfigurationEntry.LoginModuleControlFlag.REQUIRED,
                        Map.of())} : null;
            }
        });
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/jmxremote.access"), "alice monitor\n");
        service = RemoteJmxAgent.start(home, """
                    loginConfig: %s
                """.formatted(ENTRY));
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
        Configuration.setConfiguration(previous);
    }

    private static JMXConnector connect(String user, String password) throws Exception {
        return JMXConnectorFactory.connect(service.remoteAddress().orElseThrow(),
                Map.of(JMXConnector.CREDENTIALS, new String[] {user, password}));
    }

    @Test
    void aUserTheLoginModuleAcceptsGetsTheRoleOfTheAccessFile() throws Exception {
        try (JMXConnector connector = connect("alice", "ecila")) {
            assertThat(connector.getMBeanServerConnection().getAttribute(ObjectNames.agent(), "Version")).isNotNull();
        }
    }

    @Test
    void aUserTheLoginModuleRefusesCannotConnect() {
        assertThatThrownBy(() -> connect("alice", "alice").close()).isInstanceOf(SecurityException.class);
    }
}
