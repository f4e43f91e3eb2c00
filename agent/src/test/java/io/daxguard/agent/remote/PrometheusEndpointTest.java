package io.daxguard.agent.remote;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.daxguard.agent.AgentFiles;
import io.daxguard.agent.config.ConfigLoader;
import io.daxguard.agent.daemon.AgentService;
import io.daxguard.agent.jmx.ObjectNames;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.Privileges;
import io.daxguard.testkit.ScratchFilesystem;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Prometheus endpoint scraped by a real Prometheus server (Debian package prometheus) that this test starts with
 * the shipped example alert rules: the series are there under their conventional names, with no label per file, and
 * damage on a filesystem fires the damage alert for that filesystem.
 */
class PrometheusEndpointTest {
    @RegisterExtension
    static final ScratchFilesystem XFS = ScratchFilesystem.xfs().build();
    private static final Path RULES = Path.of("../dist/src/main/prometheus/daxguard-alerts.yml").toAbsolutePath();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path home;
    private static MBeanServer server;
    private static AgentService service;
    private static String metrics;
    private static Process prometheus;
    private static String prometheusApi;

    @BeforeAll
    static void startTheAgentAndAPrometheusScrapingIt() throws Exception {
        Privileges.requireRootLoopAnd("prometheus", "promtool");
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/jmxremote.password"), "scraper s-secret\nstranger x-secret\n");
        Files.writeString(home.resolve("conf/jmxremote.access"), "scraper monitor\n");
        int port = RemoteJmxAgent.freePort();
        server = MBeanServerFactory.newMBeanServer();
        service = AgentService.init(ConfigLoader.parse("test", """
                watch: ["%s"]
                stateDirectory: %s
                metrics:
                  prometheus:
                    enabled: true
                    port: %d
                """.formatted(XFS.mountPoint(), home.resolve("state"), port)), home, server);
        service.start();
        metrics = "http://127.0.0.1:" + port + "/metrics";
        int prometheusPort = RemoteJmxAgent.freePort();
        Path config = Files.writeString(home.resolve("prometheus.yml"), """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                rule_files: ["%s"]
                scrape_configs:
                  - job_name: daxguard
                    basic_auth: {username: scraper, password: s-secret}
                    static_configs:
                      - targets: ["127.0.0.1:%d"]
                """.formatted(RULES, port));
        prometheus = new ProcessBuilder("prometheus", "--config.file=" + config,
                "--storage.tsdb.path=" + home.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + prometheusPort)
                .redirectErrorStream(true).redirectOutput(home.resolve("prometheus.log").toFile()).start();
        prometheusApi = "http://127.0.0.1:" + prometheusPort + "/api/v1/";
    }

    @AfterAll
    static void stop() throws Exception {
        if (prometheus != null) {
            prometheus.destroy();
            if (!prometheus.waitFor(30, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly();
            }
        }
        if (service != null) {
            service.close();
        }
    }

    private static HttpResponse<String> scrape(String user, String password) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(metrics)).timeout(Duration.ofSeconds(30));
        if (user != null) {
            request.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Asks Prometheus until {@code query} has a result or a minute has passed. Prometheus scrapes and evaluates on its
     * own clock and tells no one, so asking again is the only way to learn it has (every 200 ms, bounded).
     */
    private static JsonNode awaitResult(String api, String query) throws Exception {
        Instant deadline = Instant.now().plusSeconds(60);
        JsonNode last = null;
        while (Instant.now().isBefore(deadline)) {
            try {
                HttpResponse<String> answer = CLIENT.send(HttpRequest.newBuilder(URI.create(prometheusApi + api
                        + URLEncoder.encode(query, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
                last = JSON.readTree(answer.body());
                JsonNode result = last.path("data").path("result");
                if (result.isArray() && !result.isEmpty()) {
                    return result;
                }
            } catch (java.io.IOException notListeningYet) {
                last = null;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("Prometheus gave no result for " + query + " in 60 s; last answer " + last
                + "; its log:\n" + Files.readString(home.resolve("prometheus.log")));
    }

    @Test
    void theShippedRulesAreValidForPrometheus() throws Exception {
        assertThat(Command.run("promtool", "check", "rules", RULES.toString())).contains("SUCCESS: 5 rules found");
    }

    @Test
    void aScrapeWithoutCredentialsOrByAUserWithoutARoleIsRefused() throws Exception {
        assertThat(scrape(null, null).statusCode()).isEqualTo(401);
        assertThat(scrape("stranger", "x-secret").statusCode()).isEqualTo(401);
    }

    @Test
    void theSeriesHaveConventionalNamesAndNoLabelPerFile() throws Exception {
        HttpResponse<String> page = scrape("scraper", "s-secret");

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("daxguard_ledger_durable 1.0")
                .contains("daxguard_filesystem_held{filesystem=\"" + XFS.mountPoint() + "\",type=\"xfs\"} 1.0")
                .contains("# TYPE daxguard_tuples_total counter").contains("# TYPE daxguard_queue_depth gauge")
                .doesNotContain("path=").doesNotContain("inode=");
    }

    @Test
    void prometheusScrapesTheAgentAndDamageFiresTheDamageAlertForItsFilesystem() throws Exception {
        awaitResult("query?query=", "up{job=\"daxguard\"} == 1");
        AgentFiles.writeFile(XFS.path("damaged.bin"), 16 * 1024, 41);
        FiemapExtent extent = AgentFiles.extents(XFS.path("damaged.bin")).get(0);
        server.invoke(ObjectNames.agent(), "reportFailure", new Object[] {XFS.device().getFileName().toString(),
                extent.physical() / 512, 8L, 5}, new String[] {"java.lang.String", "long", "long", "int"});

        JsonNode alerts = awaitResult("query?query=", "ALERTS{alertname=\"DaxguardDamageAppeared\",alertstate=\"firing\"}");

        assertThat(alerts).as("%s\n%s", alerts, scrape("scraper", "s-secret").body()).hasSize(1);
        assertThat(alerts.get(0).path("metric").path("filesystem").asText()).isEqualTo(XFS.mountPoint().toString());
        assertThat(alerts.get(0).path("metric").path("kind").asText()).isEqualTo("file");
    }
}
