package io.daxguard.agent.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.daxguard.agent.config.ConfigLoader;
import io.daxguard.agent.daemon.Agent;
import io.daxguard.agent.daemon.AgentService;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jmx.local: false} through the service's life: the MBeans are kept out of the platform MBean server (no local
 * attach reaches them, and none is told an agent runs there), yet the HTTP bridge, which serves the servers
 * registered with {@code MBeanServerFactory}, serves them; the platform server never gets the agent's MBeans (nor its
 * metrics) and is left as it was at close, the server made for the agent is released, a stopped agent leaves none
 * registered in its own server, and an agent started again after a stop is served by its HTTP bridge and by remote
 * JMX as before.
 */
class JolokiaWithoutLocalJmxTest {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @TempDir
    Path home;

    /** Gives {@code home} one HTTP user, {@code watcher} with role monitor; {@code home}. */
    static Path withAWatcher(Path home) throws Exception {
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/jmxremote.password"), "watcher w-secret\n");
        Files.writeString(home.resolve("conf/jmxremote.access"), "watcher monitor\n");
        return home;
    }

    /** Remote JMX on loopback without authentication, and no local JMX. */
    private String remoteOnly(int port) {
        return """
                watch: ["%s"]
                stateDirectory: %s
                jmx:
                  local: false
                  remote:
                    enabled: true
                    bindAddress: 127.0.0.1
                    port: %d
                    authenticate: false
                    allowInsecure: true
                """.formatted(System.getProperty("java.io.tmpdir"), home.resolve("state"), port);
    }

    private AgentService initWithoutLocalJmx() throws Exception {
        withAWatcher(home);
        return AgentService.init(ConfigLoader.parse("test", """
                watch: ["%s"]
                stateDirectory: %s
                jmx:
                  local: false
                metrics:
                  jmx: true
                http:
                  enabled: true
                  port: %d
                """.formatted(System.getProperty("java.io.tmpdir"), home.resolve("state"),
                RemoteJmxAgent.freePort())), home);
    }

    private static Set<ObjectName> daxguardNames(MBeanServer server) throws Exception {
        return new HashSet<>(server.queryNames(new ObjectName("io.daxguard*:*"), null));
    }

    private static String versionThroughTheBridgeOf(AgentService service) throws Exception {
        HttpResponse<String> answer = CLIENT.send(HttpRequest.newBuilder(URI.create(
                        "http://127.0.0.1:" + service.httpPort().orElseThrow()
                                + "/jolokia/monitor/read/io.daxguard:type=Agent/Version"))
                        .timeout(Duration.ofSeconds(60))
                        .header("Authorization", "Basic " + Base64.getEncoder()
                                .encodeToString("watcher:w-secret".getBytes(StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString());
        return new ObjectMapper().readTree(answer.body()).path("value").asText(answer.body());
    }

    @Test
    void theBridgeServesTheAgentsMBeans() throws Exception {
        try (AgentService service = initWithoutLocalJmx()) {
            service.start();

            assertThat(versionThroughTheBridgeOf(service)).isEqualTo(Agent.version());
        }
    }

    /** A local attach reaches the platform MBean server only: `daxguard status` by attach is not sent to this JVM. */
    @Test
    void theAgentDoesNotSayItRunsToALocalAttach() throws Exception {
        try (AgentService service = initWithoutLocalJmx()) {
            service.start();

            assertThat(System.getProperty(AgentService.RUNNING_PROPERTY)).isNull();
        }
    }

    @Test
    void theServerMadeForTheAgentIsReleasedAtClose() throws Exception {
        MBeanServer made;
        try (AgentService service = initWithoutLocalJmx()) {
            service.start();
            made = service.mbeanServer();
            assertThat(MBeanServerFactory.findMBeanServer(null)).as("registered while it runs").contains(made);
        }

        assertThat(MBeanServerFactory.findMBeanServer(null)).doesNotContain(made);
    }

    @Test
    void thePlatformServerGetsNoneOfTheAgentsMBeansWhileItRuns() throws Exception {
        Set<ObjectName> before = daxguardNames(ManagementFactory.getPlatformMBeanServer());
        try (AgentService service = initWithoutLocalJmx()) {
            service.start();
            assertThat(daxguardNames(service.mbeanServer())).as("the agent's own server").isNotEmpty();

            assertThat(daxguardNames(ManagementFactory.getPlatformMBeanServer())).isEqualTo(before);
        }
    }

    @Test
    void aStoppedAgentLeavesNoMBeanInItsOwnServer() throws Exception {
        try (AgentService service = initWithoutLocalJmx()) {
            service.start();
            service.stop();

            assertThat(daxguardNames(service.mbeanServer())).isEmpty();
        }
    }

    @Test
    void anAgentStartedAgainAfterAStopIsServedByItsBridge() throws Exception {
        try (AgentService service = initWithoutLocalJmx()) {
            service.start();
            service.stop();
            service.start();

            assertThat(versionThroughTheBridgeOf(service)).isEqualTo(Agent.version());
        }
    }

    @Test
    void aClosedAgentLeavesThePlatformServerAsItFoundIt() throws Exception {
        Set<ObjectName> before = new HashSet<>(ManagementFactory.getPlatformMBeanServer().queryNames(null, null));
        try (AgentService service = initWithoutLocalJmx()) {
            service.start();
            versionThroughTheBridgeOf(service);
        }

        assertThat(new HashSet<>(ManagementFactory.getPlatformMBeanServer().queryNames(null, null))).isEqualTo(before);
    }

    @Test
    void anAgentStartedAgainAfterAStopIsServedByRemoteJmx() throws Exception {
        try (AgentService service = AgentService.init(ConfigLoader.parse("test", remoteOnly(RemoteJmxAgent.freePort())),
                home)) {
            service.start();
            service.stop();
            service.start();

            try (JMXConnector connector = JMXConnectorFactory
                    .connect(service.remoteAddress().orElseThrow())) {
                assertThat(connector.getMBeanServerConnection().getAttribute(
                        new ObjectName("io.daxguard:type=Agent"), "Version")).isEqualTo(Agent.version());
            }
        }
    }

    @Test
    void anInitThatCannotBindItsRemotePortLeavesNoServerRegistered() throws Exception {
        List<MBeanServer> before = MBeanServerFactory.findMBeanServer(null);
        try (ServerSocket taken = new ServerSocket(0, 1,
                InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> AgentService.init(ConfigLoader.parse("test", remoteOnly(taken.getLocalPort())),
                    home)).isInstanceOf(Exception.class);
        }

        assertThat(MBeanServerFactory.findMBeanServer(null)).isEqualTo(before);
    }
}
