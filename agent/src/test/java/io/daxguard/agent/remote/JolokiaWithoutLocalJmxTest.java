package io.daxguard.agent.remote;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.daxguard.agent.config.ConfigLoader;
import io.daxguard.agent.daemon.Agent;
import io.daxguard.agent.daemon.AgentService;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jmx.local: false} keeps the MBeans out of the platform MBean server (no local attach reaches them), yet the
 * HTTP bridge, which serves the servers registered with {@code MBeanServerFactory}, still serves them.
 */
class JolokiaWithoutLocalJmxTest {
    @TempDir
    Path home;

    private AgentService startWithoutLocalJmx() throws Exception {
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/jmxremote.password"), "watcher w-secret\n");
        Files.writeString(home.resolve("conf/jmxremote.access"), "watcher monitor\n");
        AgentService service = AgentService.init(ConfigLoader.parse("test", """
                watch: ["%s"]
                stateDirectory: %s
                jmx:
                  local: false
                http:
                  enabled: true
                  port: %d
                """.formatted(System.getProperty("java.io.tmpdir"), home.resolve("state"),
                RemoteJmxAgent.freePort())), home);
        try {
            service.start();
        } catch (Exception e) {
            service.close();
            throw e;
        }
        return service;
    }

    @Test
    void theBridgeServesTheAgentsMBeansKeptOutOfThePlatformServer() throws Exception {
        try (AgentService service = startWithoutLocalJmx()) {
            HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                    "http://127.0.0.1:" + service.httpPort().orElseThrow()
                            + "/jolokia/monitor/read/io.daxguard:type=Agent/Version"))
                    .timeout(Duration.ofSeconds(60))
                    .header("Authorization", "Basic " + Base64.getEncoder()
                            .encodeToString("watcher:w-secret".getBytes(StandardCharsets.UTF_8))).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(service.mbeanServer()).isNotSameAs(ManagementFactory.getPlatformMBeanServer());
            assertThat(new ObjectMapper().readTree(answer.body()).path("value").asText()).as(answer.body())
                    .isEqualTo(Agent.version());
        }
    }

    /** A local attach reaches the platform MBean server only: `daxguard status` by attach is not sent to this JVM. */
    @Test
    void theAgentDoesNotSayItRunsToALocalAttach() throws Exception {
        try (AgentService service = startWithoutLocalJmx()) {
            assertThat(System.getProperty(AgentService.RUNNING_PROPERTY)).isNull();
        }
    }

    @Test
    void theServerMadeForTheAgentIsReleasedAtClose() throws Exception {
        MBeanServer made;
        try (AgentService service = startWithoutLocalJmx()) {
            made = service.mbeanServer();
            assertThat(MBeanServerFactory.findMBeanServer(null)).contains(made);
        }

        assertThat(MBeanServerFactory.findMBeanServer(null)).doesNotContain(made);
    }
}
