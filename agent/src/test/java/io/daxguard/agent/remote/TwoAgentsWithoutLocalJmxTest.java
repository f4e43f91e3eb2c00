package io.daxguard.agent.remote;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.daxguard.agent.config.ConfigLoader;
import io.daxguard.agent.daemon.AgentService;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two agents in one JVM, both with {@code jmx.local: false}: each has an MBean server of its own, registered with
 * {@code MBeanServerFactory}, and its MBeans have the same names as the other's. Each one's HTTP bridge must serve
 * that agent's MBeans, never the other's (told apart by {@code mbeans.batchItems}, which each configures its own).
 */
class TwoAgentsWithoutLocalJmxTest {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @TempDir
    Path homes;

    private AgentService start(String name, int batchItems) throws Exception {
        Path home = homes.resolve(name);
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/jmxremote.password"), "watcher w-secret\n");
        Files.writeString(home.resolve("conf/jmxremote.access"), "watcher monitor\n");
        AgentService service = AgentService.init(ConfigLoader.parse("test", """
                watch: ["%s"]
                stateDirectory: %s
                jmx:
                  local: false
                mbeans:
                  batchItems: %d
                http:
                  enabled: true
                  port: %d
                """.formatted(System.getProperty("java.io.tmpdir"), home.resolve("state"), batchItems,
                RemoteJmxAgent.freePort())), home);
        try {
            service.start();
        } catch (Exception e) {
            service.close();
            throw e;
        }
        return service;
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

    @Test
    void eachAgentsBridgeServesItsOwnAgentsMBeans() throws Exception {
        try (AgentService first = start("first", 111); AgentService second = start("second", 222)) {
            assertThat(Map.of("first", batchItemsThroughTheBridgeOf(first),
                    "second", batchItemsThroughTheBridgeOf(second)))
                    .isEqualTo(Map.of("first", 111, "second", 222));
        }
    }
}
