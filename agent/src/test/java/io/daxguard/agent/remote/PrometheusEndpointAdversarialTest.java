package io.daxguard.agent.remote;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.config.PrometheusConfig;
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
import java.nio.file.Path;
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
}
