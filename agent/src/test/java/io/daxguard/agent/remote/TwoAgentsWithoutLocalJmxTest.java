package io.daxguard.agent.remote;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daxguard.agent.config.ConfigLoader;
import io.daxguard.agent.config.ConfigurationException;
import io.daxguard.agent.daemon.AgentService;
import java.nio.file.Path;
import javax.management.MBeanServerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP bridge (Jolokia) serves every MBean server of the JVM it finds, the first holding a name answering for
 * it: a second agent with the bridge in one JVM would answer with the first one's MBeans (found by the review, with
 * two agents of {@code jmx.local: false}), and an agent whose MBean server the bridge does not find would answer with
 * none. Both are refused at init, naming the field.
 */
class TwoAgentsWithoutLocalJmxTest {
    @TempDir
    Path homes;

    private String config(String name) throws Exception {
        Path home = JolokiaWithoutLocalJmxTest.withAWatcher(homes.resolve(name));
        return """
                watch: ["%s"]
                stateDirectory: %s
                jmx:
                  local: false
                http:
                  enabled: true
                  port: %d
                """.formatted(System.getProperty("java.io.tmpdir"), home.resolve("state"), RemoteJmxAgent.freePort());
    }

    @Test
    void aSecondAgentWithTheBridgeInTheJvmIsRefusedAtInit() throws Exception {
        try (AgentService first = AgentService.init(ConfigLoader.parse("first", config("first")), homes.resolve("first"))) {
            first.start();

            assertThatThrownBy(() -> AgentService.init(ConfigLoader.parse("second", config("second")),
                    homes.resolve("second")).close())
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("http.enabled: another daxguard agent of this JVM");
        }
    }

    @Test
    void anAgentWithTheBridgeOnAServerTheBridgeDoesNotFindIsRefusedAtInit() {
        assertThatThrownBy(() -> AgentService.init(ConfigLoader.parse("hidden", config("hidden")), homes.resolve("hidden"),
                MBeanServerFactory.newMBeanServer()).close())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("http.enabled: the HTTP bridge serves the platform MBean server and those"
                        + " registered with MBeanServerFactory");
    }
}
