package io.daxguard.agent.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.daxguard.agent.config.ConfigLoader;
import io.daxguard.agent.config.ConfigurationException;
import io.daxguard.agent.daemon.AgentService;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two agents of one JVM, as an embedder may make them: what each promises about the other. The HTTP bridge of one
 * never answers with the other's MBeans (a second agent with the bridge is refused, naming {@code http.enabled}),
 * and the property by which {@code daxguard status} finds an agent by local attach is cleared only by the agent that
 * set it.
 */
class AgentsSharingAJvmTest {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @TempDir
    Path homes;

    private AgentService init(String name, boolean local, boolean http, int batchItems) throws Exception {
        Path home = JolokiaWithoutLocalJmxTest.withAWatcher(homes.resolve(name));
        return AgentService.init(ConfigLoader.parse(name, """
                watch: ["%s"]
                stateDirectory: %s
                jmx:
                  local: %s
                mbeans:
                  batchItems: %d
                http:
                  enabled: %s
                  port: %d
                """.formatted(System.getProperty("java.io.tmpdir"), home.resolve("state"), local, batchItems, http,
                RemoteJmxAgent.freePort())), home);
    }

    private static int batchItemsThroughTheBridgeOf(AgentService service) throws Exception {
        HttpResponse<String> answer = CLIENT.send(HttpRequest.newBuilder(URI.create(
                        "http://127.0.0.1:" + service.httpPort().orElseThrow()
                                + "/jolokia/monitor/read/io.daxguard:type=Agent/RequestLimits"))
                        .timeout(Duration.ofSeconds(60))
                        .header("Authorization", "Basic " + Base64.getEncoder()
                                .encodeToString("watcher:w-secret".getBytes(StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString());
        return new ObjectMapper().readTree(answer.body()).path("value").path("batchItems").asInt(-1);
    }

    /** An embedder that makes an agent, then gives up on it without starting it, must not hide the running one. */
    @Test
    void anAgentClosedWithoutStartingLeavesTheRunningAgentFoundByLocalAttach() throws Exception {
        try (AgentService running = init("running", true, false, 100)) {
            running.start();

            init("abandoned", true, false, 100).close();

            assertThat(System.getProperty(AgentService.RUNNING_PROPERTY)).isNotNull();
        }
    }

    /**
     * Two agents with the bridge, both made before either starts: neither had MBeans at the other's init, so the
     * refusal there cannot see them; the second to start would answer with the first one's MBeans.
     */
    @Test
    void aSecondAgentWithTheBridgeMadeBeforeTheFirstStartedIsRefusedAtItsStart() throws Exception {
        try (AgentService first = init("first", false, true, 111); AgentService second = init("second", false, true, 222)) {
            first.start();

            assertThatThrownBy(second::start)
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("http.enabled");
        }
    }

    /**
     * An agent without the bridge started in the platform MBean server after one with it: the bridge would answer with
     * the newer agent's MBeans (Jolokia looks at the platform server first), so it is refused, naming jmx.local.
     */
    @Test
    void anAgentInThePlatformServerIsRefusedWhileAnotherAgentRunsTheBridge() throws Exception {
        try (AgentService bridged = init("bridged", false, true, 111)) {
            bridged.start();
            try (AgentService plain = init("plain", true, false, 222)) {
                assertThatThrownBy(plain::start).isInstanceOf(ConfigurationException.class)
                        .hasMessageContaining("jmx.local: another daxguard agent of this JVM runs the HTTP bridge");
            }
        }
    }

    /** Without the bridge and without local JMX, an agent's own server is out of the other's bridge's reach. */
    @Test
    void anAgentWithNeitherTheBridgeNorLocalJmxRunsBesideOneWithTheBridge() throws Exception {
        try (AgentService bridged = init("bridged", false, true, 111)) {
            bridged.start();
            try (AgentService plain = init("plain", false, false, 222)) {
                plain.start();

                assertThat(batchItemsThroughTheBridgeOf(bridged)).isEqualTo(111);
            }
        }
    }

    @ParameterizedTest(name = "first jmx.local: {0}, second jmx.local: {1}")
    @CsvSource({"true,true", "true,false", "false,true", "false,false"})
    void aSecondAgentWithTheBridgeIsRefusedAtInitWhateverEachOnesJmxLocal(boolean firstLocal, boolean secondLocal)
            throws Exception {
        try (AgentService first = init("first", firstLocal, true, 111)) {
            first.start();

            assertThatThrownBy(() -> init("second", secondLocal, true, 222).close())
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("http.enabled");
        }
    }

    @ParameterizedTest(name = "jmx.local: {0}")
    @CsvSource({"true", "false"})
    void anAgentWithTheBridgeStoppedAndStartedAgainIsServedByItsBridge(boolean local) throws Exception {
        try (AgentService service = init("again", local, true, 333)) {
            service.start();
            service.stop();
            service.start();

            assertThat(batchItemsThroughTheBridgeOf(service)).isEqualTo(333);
        }
    }

    @Test
    void aNewAgentWithTheBridgeAfterAnotherClosedIsServedByItsOwnBridge() throws Exception {
        try (AgentService gone = init("gone", true, true, 111)) {
            gone.start();
        }
        try (AgentService next = init("next", false, true, 222)) {
            next.start();

            assertThat(batchItemsThroughTheBridgeOf(next)).isEqualTo(222);
        }
    }

    /** The first, stopped, had no MBeans at the second's init; started again it would serve the second one's. */
    @Test
    void anAgentWithTheBridgeStartedAgainWhileAnotherWithTheBridgeRunsIsRefused() throws Exception {
        try (AgentService first = init("first", false, true, 111)) {
            first.start();
            first.stop();
            try (AgentService second = init("second", false, true, 222)) {
                second.start();

                assertThatThrownBy(first::start)
                        .isInstanceOf(ConfigurationException.class)
                        .hasMessageContaining("http.enabled");
            }
        }
    }

    /** The bridge would serve nothing of an agent whose server it does not find: refused at init, naming the field. */
    @Test
    void anEmbeddersServerTheBridgeDoesNotFindIsRefusedAtInit() throws Exception {
        Path home = JolokiaWithoutLocalJmxTest.withAWatcher(homes.resolve("hidden"));
        String config = """
                watch: ["%s"]
                stateDirectory: %s
                http:
                  enabled: true
                  port: %d
                """.formatted(System.getProperty("java.io.tmpdir"), home.resolve("state"), RemoteJmxAgent.freePort());

        assertThatThrownBy(() -> AgentService.init(ConfigLoader.parse("hidden", config), home,
                MBeanServerFactory.newMBeanServer()).close())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("http.enabled: the HTTP bridge serves the platform MBean server and those"
                        + " registered with MBeanServerFactory");
    }

    @Test
    void anEmbeddersOwnRegisteredServerIsServedByTheBridge() throws Exception {
        MBeanServer embedders = MBeanServerFactory.createMBeanServer();
        try {
            Path home = JolokiaWithoutLocalJmxTest.withAWatcher(homes.resolve("embedded"));
            try (AgentService service = AgentService.init(ConfigLoader.parse("embedded", """
                    watch: ["%s"]
                    stateDirectory: %s
                    mbeans:
                      batchItems: 444
                    http:
                      enabled: true
                      port: %d
                    """.formatted(System.getProperty("java.io.tmpdir"), home.resolve("state"),
                    RemoteJmxAgent.freePort())), home, embedders)) {
                service.start();

                assertThat(batchItemsThroughTheBridgeOf(service)).isEqualTo(444);
            }
        } finally {
            MBeanServerFactory.releaseMBeanServer(embedders);
        }
    }

    /** A second agent in the platform MBean server is refused (its MBeans' names are taken) and hides nothing. */
    @Test
    void aSecondAgentRefusedInThePlatformServerLeavesTheFirstFoundByLocalAttach() throws Exception {
        try (AgentService first = init("first", true, false, 111)) {
            first.start();
            AgentService second = init("second", true, false, 222);
            assertThatThrownBy(second::start).isInstanceOf(javax.management.InstanceAlreadyExistsException.class);

            second.close();

            assertThat(System.getProperty(AgentService.RUNNING_PROPERTY)).isNotNull();
        }
    }
}
