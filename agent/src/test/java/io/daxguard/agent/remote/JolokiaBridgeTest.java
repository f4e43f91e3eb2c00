package io.daxguard.agent.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.daxguard.agent.config.ConfigLoader;
import io.daxguard.agent.daemon.Agent;
import io.daxguard.agent.daemon.AgentService;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.ServerSocketChannel;
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

/**
 * The HTTP bridge over real HTTP on loopback: authentication, the monitor/control split, daxguard's MBeans only,
 * operations by POST only, the origin of browser requests, no JSR-160 proxy, and a pool of request threads.
 */
class JolokiaBridgeTest {
    /** A page over plain HTTP, as the bridge here is (Jolokia refuses a secure page calling an insecure bridge). */
    private static final String UI = "http://ui.example:8080";

    @TempDir
    static Path home;
    private static MBeanServer server;
    private static AgentService service;
    private static int port;
    private static String base;
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @BeforeAll
    static void startAgentWithTheBridge() throws Exception {
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/jmxremote.password"),
                "watcher w-secret\noperator o-secret\nstranger s-secret\n");
        Files.writeString(home.resolve("conf/jmxremote.access"), "watcher monitor\noperator control\n");
        port = RemoteJmxAgent.freePort();
        // Jolokia serves the MBean servers registered with MBeanServerFactory.
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

    private static HttpRequest.Builder request(String path, String user, String password) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
        if (user != null) {
            request.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        }
        return request;
    }

    private static HttpResponse<String> get(String path, String user, String password) throws Exception {
        return CLIENT.send(request(path, user, password).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String path, String user, String password, String json)
            throws Exception {
        return send(request(path, user, password), json);
    }

    private static HttpResponse<String> send(HttpRequest.Builder request, String json) throws Exception {
        return CLIENT.send(request.header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String exec(String mbean, String operation) {
        return "{\"type\":\"exec\",\"mbean\":\"" + mbean + "\",\"operation\":\"" + operation + "\"}";
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
    void aUserWithoutARoleIsRefused() throws Exception {
        assertThat(get("monitor/read/io.daxguard:type=Agent/Version", "stranger", "s-secret").statusCode())
                .isEqualTo(401);
    }

    @Test
    void aMonitorReadsAnAttribute() throws Exception {
        JsonNode answer = json(get("monitor/read/io.daxguard:type=Agent/Version", "watcher", "w-secret"));

        assertThat(answer.path("value").asText()).as("%s", answer).isEqualTo(Agent.version());
    }

    @Test
    void aMonitorRunsAQuery() throws Exception {
        JsonNode answer = json(post("monitor", "watcher", "w-secret", exec("io.daxguard:type=Agent", "status")));

        assertThat(answer.path("value").asText()).as("%s", answer).startsWith("daxguard ");
    }

    @Test
    void aMonitorMayNotRunAnAction() throws Exception {
        JsonNode answer = json(post("monitor", "watcher", "w-secret", exec("io.daxguard:type=Agent", "refreshTopology")));

        assertThat(answer.path("status").asInt()).as("%s", answer).isEqualTo(403);
    }

    @Test
    void aMonitorIsNotLetIntoTheControlEndpoint() throws Exception {
        assertThat(get("control/read/io.daxguard:type=Agent/Version", "watcher", "w-secret").statusCode())
                .isEqualTo(401);
    }

    @Test
    void aControllerRunsAnAction() throws Exception {
        JsonNode answer = json(post("control", "operator", "o-secret", exec("io.daxguard:type=Agent", "refreshTopology")));

        assertThat(answer.path("status").asInt()).as("%s", answer).isEqualTo(200);
    }

    /** A link or an image tag makes a browser send a GET, with the credentials it keeps: no operation by GET. */
    @Test
    void anOperationByGetIsRefused() throws Exception {
        JsonNode answer = json(get("control/exec/io.daxguard:type=Agent/refreshTopology()", "operator", "o-secret"));

        assertThat(answer.path("status").asInt()).as("%s", answer).isEqualTo(403);
    }

    @Test
    void mbeansOutsideDaxguardAreOutOfReach() throws Exception {
        JsonNode answer = json(get("control/read/java.lang:type=Runtime/Name", "operator", "o-secret"));

        assertThat(answer.path("status").asInt()).as("%s", answer).isEqualTo(403);
    }

    @Test
    void aPageOfAnotherOriginIsRefused() throws Exception {
        HttpResponse<String> answer = send(request("control", "operator", "o-secret")
                .header("Origin", "https://evil.example"), exec("io.daxguard:type=Agent", "refreshTopology"));

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(403);
    }

    @Test
    void aRefererOfAnotherOriginIsRefused() throws Exception {
        HttpResponse<String> answer = CLIENT.send(request("monitor/read/io.daxguard:type=Agent/Version", "watcher",
                "w-secret").header("Referer", "http://evil.example/page.html").build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(403);
    }

    @Test
    void aPageOfAnAllowedOriginMayCallTheBridge() throws Exception {
        HttpResponse<String> answer = send(request("monitor", "watcher", "w-secret").header("Origin", UI),
                exec("io.daxguard:type=Agent", "status"));

        assertThat(json(answer).path("value").asText()).as(answer.body()).startsWith("daxguard ");
        assertThat(answer.headers().firstValue("Access-Control-Allow-Origin")).contains(UI);
    }

    private static HttpResponse<String> preflight(String origin) throws Exception {
        return CLIENT.send(request("control", null, null).header("Origin", origin)
                .header("Access-Control-Request-Method", "POST")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A browser asks before a page's POST, without credentials; a page of an allowed origin gets an answer. */
    @Test
    void thePreflightOfAnAllowedOriginIsAnswered() throws Exception {
        HttpResponse<String> answer = preflight(UI);

        assertThat(answer.statusCode()).isEqualTo(204);
        assertThat(answer.headers().firstValue("Access-Control-Allow-Origin")).contains(UI);
    }

    @Test
    void thePreflightOfAnotherOriginIsRefused() throws Exception {
        HttpResponse<String> answer = preflight("http://evil.example");

        assertThat(answer.statusCode()).isEqualTo(403);
        assertThat(answer.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }

    /** Jolokia serves each endpoint also under {@code .../config}; that path must not skip authentication. */
    @Test
    void theConfigPathOfAnEndpointNeedsCredentialsToo() throws Exception {
        HttpResponse<String> answer = post("control/config", null, null, exec("io.daxguard:type=Agent",
                "refreshTopology"));

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(401);
    }

    /** The JSR-160 proxy would have the agent (root) open a JMX connection to any address a request names. */
    @Test
    void aProxyRequestOpensNoConnection() throws Exception {
        try (ServerSocketChannel target = ServerSocketChannel.open()) {
            target.bind(new InetSocketAddress("127.0.0.1", 0));
            target.configureBlocking(false);
            String url = "service:jmx:rmi:///jndi/rmi://127.0.0.1:" + target.socket().getLocalPort() + "/jmxrmi";

            HttpResponse<String> answer = post("monitor", "watcher", "w-secret", "{\"type\":\"read\","
                    + "\"mbean\":\"java.lang:type=Runtime\",\"attribute\":\"Name\",\"target\":{\"url\":\"" + url + "\"}}");

            assertThat(json(answer).path("status").asInt()).as(answer.body()).isNotEqualTo(200);
            // The request is answered only after the proxy's connection attempt; none is waiting.
            assertThat(target.accept()).isNull();
        }
    }

    @Test
    void theProxyIsNotShipped() {
        assertThatThrownBy(() -> Class.forName(JolokiaBridge.JSR160_PROXY)).isInstanceOf(ClassNotFoundException.class);
    }

    /** A client that stops halfway through its request holds one thread of the pool, not the bridge. */
    @Test
    void aStalledClientDoesNotHoldTheBridge() throws Exception {
        try (Socket stalled = new Socket("127.0.0.1", port)) {
            OutputStream out = stalled.getOutputStream();
            out.write(("POST /jolokia/monitor HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic "
                    + Base64.getEncoder().encodeToString("watcher:w-secret".getBytes(StandardCharsets.UTF_8))
                    + "\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"type\":").getBytes(
                    StandardCharsets.US_ASCII));
            out.flush();

            HttpResponse<String> answer = get("monitor/read/io.daxguard:type=Agent/Version", "watcher", "w-secret");

            assertThat(json(answer).path("value").asText()).isEqualTo(Agent.version());
        }
    }

    /**
     * A page elsewhere includes {@code <script src=".../read/...?callback=f" referrerpolicy="no-referrer">}: the
     * browser sends no Origin and no Referer with it, but the credentials it has cached for the bridge, so the gate
     * lets it through; answered as JSONP, the answer runs as script in that page, which reads daxguard's data.
     * A GET from a browser must never be answered as script (found attacking issue 13).
     */
    @Test
    void aGetIsNeverAnsweredAsScriptAPageElsewhereCouldInclude() throws Exception {
        HttpResponse<String> answer = get("monitor/read/io.daxguard:type=Agent/Version?callback=leak", "watcher",
                "w-secret");

        assertThat(answer.body()).as("status %d, %s", answer.statusCode(), answer.headers().map())
                .doesNotStartWith("leak(");
    }

    /**
     * The restrictor refuses the NOTIFICATION request type, but Jolokia never asks it of notification requests:
     * a monitor would register a notification client and listen to MBeans the bridge hides (here the MBean
     * server's delegate), with the server keeping a listener and a store for it (found attacking issue 13).
     */
    @Test
    void aMonitorCannotListenToAnMBeanTheBridgeHides() throws Exception {
        String registered = post("monitor", "watcher", "w-secret",
                "{\"type\":\"notification\",\"command\":\"register\"}").body();
        String added = post("monitor", "watcher", "w-secret", "{\"type\":\"notification\",\"command\":\"add\","
                + "\"client\":\"any\",\"mode\":\"pull\",\"mbean\":\"JMImplementation:type=MBeanServerDelegate\"}")
                .body();

        assertThat(registered + " | " + added).doesNotContain("\"status\":200")
                .contains("notification requests are not served over HTTP");
    }
}
