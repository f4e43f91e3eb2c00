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
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Attacks (issue 13) on the HTTP bridge that its own tests do not try. */
class JolokiaBridgeAttackTest {
    private static final String UI = "http://ui.example:8080";

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
        server = MBeanServerFactory.createMBeanServer();
        service = AgentService.init(ConfigLoader.parse("test", """
                watch: ["%s"]
                stateDirectory: %s
                http:
                  enabled: true
                  port: %d
                  threads: 2
                  allowedOrigins: ["%s"]
                """.formatted(System.getProperty("java.io.tmpdir"), home.resolve("state"), port, UI)), home, server);
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

    private static HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Basic " + Base64.getEncoder()
                        .encodeToString("watcher:w-secret".getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * A page elsewhere includes {@code <script src=".../read/...?callback=f" referrerpolicy="no-referrer">}: the
     * browser sends no Origin and no Referer with it, but the credentials it has cached for the bridge, so the gate
     * lets it through; answered as JSONP, the answer runs as script in that page, which reads daxguard's data.
     * A GET from a browser must never be answered as script.
     */
    @Test
    void aGetIsNeverAnsweredAsScriptAPageElsewhereCouldInclude() throws Exception {
        HttpResponse<String> answer = CLIENT.send(request("monitor/read/io.daxguard:type=Agent/Version?callback=leak")
                .GET().build(), HttpResponse.BodyHandlers.ofString());

        assertThat(answer.body()).as("status %d, %s", answer.statusCode(), answer.headers().map())
                .doesNotStartWith("leak(");
    }

    /**
     * The restrictor refuses the NOTIFICATION request type, but Jolokia never asks it of notification requests:
     * a monitor registers a notification client and listens to MBeans the bridge hides (here the MBean server's
     * delegate), with the server keeping a listener and a store for it.
     */
    @Test
    void aMonitorCannotListenToAnMBeanTheBridgeHides() throws Exception {
        String registered = post("{\"type\":\"notification\",\"command\":\"register\"}");
        String added = post("{\"type\":\"notification\",\"command\":\"add\",\"client\":\"any\","
                + "\"mode\":\"pull\",\"mbean\":\"JMImplementation:type=MBeanServerDelegate\"}");

        assertThat(registered + " | " + added).doesNotContain("\"status\":200")
                .contains("notification requests are not served over HTTP");
    }

    private static String post(String json) throws Exception {
        return CLIENT.send(request("monitor").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }
}
