package io.daxguard.agent.remote;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.daxguard.agent.daemon.Agent;
import io.daxguard.agent.config.ConfigLoader;
import io.daxguard.agent.daemon.AgentService;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP bridge over real HTTP on loopback: authentication, the monitor/control split, daxguard's MBeans only. */
class JolokiaBridgeTest {
    @TempDir
    static Path home;
    private static MBeanServer server;
    private static AgentService service;
    private static String base;
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @BeforeAll
    static void startAgentWithTheBridge() throws Exception {
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/jmxremote.password"), "watcher w-secret\noperator o-secret\n");
        Files.writeString(home.resolve("conf/jmxremote.access"), "watcher monitor\noperator control\n");
        int port = RemoteJmxAgent.freePort();
        // Jolokia serves the MBean servers registered with MBeanServerFactory.
        server = MBeanServerFactory.createMBeanServer();
        service = AgentService.init(ConfigLoader.parse("test", """
                watch: ["%s"]
                stateDirectory: %s
                http:
                  enabled: true
                  port: %d
                """.formatted(System.getProperty("java.io.tmpdir"), home.resolve("state"), port)), home, server);
        service.start();
        base = "http://127.0.0.1:" + port + "/jolokia/";
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
        MBeanServerFactory.releaseMBeanServer(server);
    }

    private static HttpResponse<String> get(String path, String user, String password) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path));
        if (user != null) {
            request.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return new ObjectMapper().readTree(response.body());
    }

    @Test
    void aRequestWithoutCredentialsIsRefused() throws Exception {
        assertThat(get("monitor/read/io.daxguard:type=Agent/Version", null, null).statusCode()).isEqualTo(401);
    }

    @Test
    void aWrongPasswordIsRefused() throws Exception {
        assertThat(get("monitor/read/io.daxguard:type=Agent/Version", "watcher", "nope").statusCode()).isEqualTo(401);
    }

    @Test
    void aMonitorReadsAnAttribute() throws Exception {
        JsonNode answer = json(get("monitor/read/io.daxguard:type=Agent/Version", "watcher", "w-secret"));

        assertThat(answer.path("value").asText()).as("%s", answer).isEqualTo(Agent.version());
    }

    @Test
    void aMonitorRunsAQuery() throws Exception {
        JsonNode answer = json(get("monitor/exec/io.daxguard:type=Agent/status()", "watcher", "w-secret"));

        assertThat(answer.path("value").asText()).as("%s", answer).startsWith("daxguard ");
    }

    @Test
    void aMonitorMayNotRunAnAction() throws Exception {
        JsonNode answer = json(get("monitor/exec/io.daxguard:type=Agent/refreshTopology()", "watcher", "w-secret"));

        assertThat(answer.path("status").asInt()).as("%s", answer).isEqualTo(403);
    }

    @Test
    void aMonitorIsNotLetIntoTheControlEndpoint() throws Exception {
        assertThat(get("control/read/io.daxguard:type=Agent/Version", "watcher", "w-secret").statusCode())
                .isEqualTo(401);
    }

    @Test
    void aControllerRunsAnAction() throws Exception {
        JsonNode answer = json(get("control/exec/io.daxguard:type=Agent/refreshTopology()", "operator", "o-secret"));

        assertThat(answer.path("status").asInt()).as("%s", answer).isEqualTo(200);
    }

    @Test
    void mbeansOutsideDaxguardAreOutOfReach() throws Exception {
        JsonNode answer = json(get("control/read/java.lang:type=Runtime/Name", "operator", "o-secret"));

        assertThat(answer.path("status").asInt()).as("%s", answer).isEqualTo(403);
    }
}
