package io.daxguard.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.config.ConfigLoader;
import java.nio.file.Path;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service's steps may run start, stop, start (Commons Daemon does so; {@link AgentService#stop} says it may be
 * started again): the second start gives a running agent, its metrics bound to it and not to the stopped one.
 */
class AgentServiceRestartTest {
    @TempDir
    Path home;

    @Test
    void anAgentStoppedIsStartedAgain() throws Exception {
        MBeanServer server = MBeanServerFactory.newMBeanServer();
        try (AgentService service = AgentService.init(ConfigLoader.parse("test", """
                watch: ["%s"]
                stateDirectory: %s
                """.formatted(System.getProperty("java.io.tmpdir"), home.resolve("state"))), home, server)) {
            service.start();
            service.stop();
            service.start();

            assertThat(server.getAttribute(new ObjectName("io.daxguard:type=Agent"), "Version"))
                    .isEqualTo(Agent.version());
        }
    }
}
