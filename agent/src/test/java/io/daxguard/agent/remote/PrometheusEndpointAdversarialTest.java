package io.daxguard.agent.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daxguard.agent.config.PrometheusConfig;
import io.daxguard.agent.config.TlsConfig;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Adversarial review (issue 17): one client that connects to the Prometheus endpoint and then sends nothing (or half a
 * request) must not stop Prometheus from scraping. The endpoint is meant to listen off loopback, where anyone who can
 * reach the port can open a connection before any authentication. (The request's timeout only bounds how long the
 * test waits for the hang it demonstrates; a working endpoint answers in milliseconds.)
 */
class PrometheusEndpointAdversarialTest {
    private static final MultiCollector ONE_GAUGE = () -> MetricSnapshots.of(GaugeSnapshot.builder()
            .name("daxguard_ledger_durable").help("test").dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                    .labels(Labels.EMPTY).value(1).build()).build());

    @TempDir
    Path home;

    private PrometheusEndpoint endpoint() throws Exception {
        return PrometheusEndpoint.start(new PrometheusConfig(true, "127.0.0.1", 0, false, null, null, null), home,
                ONE_GAUGE);
    }

    private static HttpResponse<String> scrape(int port) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aScrapeIsAnsweredWhileAnotherClientHoldsAnIdleConnection() throws Exception {
        try (PrometheusEndpoint endpoint = endpoint();
             Socket idle = new Socket(InetAddress.getLoopbackAddress(), endpoint.port())) {
            assertThat(scrape(endpoint.port()).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aScrapeIsAnsweredWhileAnotherClientSendsHalfARequest() throws Exception {
        try (PrometheusEndpoint endpoint = endpoint();
             Socket slow = new Socket(InetAddress.getLoopbackAddress(), endpoint.port())) {
            slow.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
            slow.getOutputStream().flush();
            assertThat(scrape(endpoint.port()).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aKeyStoreThatIsNotOneIsRefusedNamingTheFileAndWhy() throws Exception {
        Path notAKeyStore = Files.writeString(home.resolve("agent.p12"), "scraper s-secret\n");
        PrometheusConfig config = new PrometheusConfig(true, "127.0.0.1", 0, false, null, null,
                new TlsConfig(true, notAKeyStore.toString(), "changeit", null, null, null, null));

        assertThatThrownBy(() -> PrometheusEndpoint.start(config, home, ONE_GAUGE).close())
                .hasMessageContaining(notAKeyStore.toString());
    }

    @Test
    void aMissingKeyStoreIsRefusedSayingItIsMissing() {
        PrometheusConfig config = new PrometheusConfig(true, "127.0.0.1", 0, false, null, null,
                new TlsConfig(true, home.resolve("absent.p12").toString(), "changeit", null, null, null, null));

        assertThatThrownBy(() -> PrometheusEndpoint.start(config, home, ONE_GAUGE).close())
                .message().matches("(?s).*(missing|not found|no such|does not exist).*");
    }

    /**
     * The password file is re-read at every request (PasswordFile: "an edited file takes effect without a restart");
     * the access file is read once at start, so taking a user's role away does not stop its scrapes.
     */
    @Test
    void aUserWhoseRoleWasRemovedFromTheAccessFileCanNoLongerScrape() throws Exception {
        Path passwords = Files.writeString(home.resolve("jmxremote.password"), "scraper s-secret\n");
        Path access = Files.writeString(home.resolve("jmxremote.access"), "scraper monitor\n");
        PrometheusConfig config = new PrometheusConfig(true, "127.0.0.1", 0, true, passwords.toString(),
                access.toString(), null);
        try (PrometheusEndpoint endpoint = PrometheusEndpoint.start(config, home, ONE_GAUGE)) {
            assertThat(scrapeAs(endpoint.port(), "scraper", "s-secret")).isEqualTo(200);
            Files.writeString(access, "# scraper's access revoked\n");

            assertThat(scrapeAs(endpoint.port(), "scraper", "s-secret")).isEqualTo(401);
        }
    }

    private static int scrapeAs(int port, String user, String password) throws Exception {
        String basic = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .header("Authorization", "Basic " + basic).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
