package io.daxguard.agent.remote;

import io.daxguard.agent.config.DaxguardHome;
import io.daxguard.agent.config.PrometheusConfig;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The optional Prometheus exposition endpoint ({@code metrics.prometheus}): {@code /metrics} in the text format on a
 * JDK HTTP server of its own, loopback unless configured, HTTP basic against the agent's password and access files
 * (any role) and TLS with the HTTP bridge's settings. {@link #THREADS} threads serve scrapes
 * ({@code daxguard-prometheus}), and a request not read in full within {@link HttpLimits#REQUEST_SECONDS} is dropped:
 * anyone who reaches the port can open a connection before authenticating, and one that sends half a request must
 * not stop Prometheus from scraping. What a scrape reads is the agent's state at that moment
 * ({@link io.daxguard.agent.metrics.PrometheusMetrics}).
 */
public final class PrometheusEndpoint implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(PrometheusEndpoint.class.getName());
    /** Scrapes served at once; more than one so a slow or stalled client holds one thread, not the endpoint. */
    static final int THREADS = 4;

    private final HTTPServer server;
    private final ExecutorService thread;

    private PrometheusEndpoint(HTTPServer server, ExecutorService thread) {
        this.server = server;
        this.thread = thread;
    }

    public static PrometheusEndpoint start(PrometheusConfig config, Path home, MultiCollector metrics)
            throws IOException, GeneralSecurityException {
        HttpLimits.apply();
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(metrics);
        ExecutorService thread = Executors.newFixedThreadPool(THREADS, runnable -> {
            Thread scrapes = new Thread(runnable, "daxguard-prometheus");
            scrapes.setDaemon(true);
            return scrapes;
        });
        HTTPServer.Builder builder = HTTPServer.builder().hostname(config.host()).port(config.port())
                .registry(registry).executorService(thread).registerHealthHandler(false);
        if (config.authenticate()) {
            Path passwords = DaxguardHome.resolve(home, config.passwordFile());
            Path access = DaxguardHome.resolve(home, config.accessFile());
            for (var needed : java.util.List.of(java.util.Map.entry("passwordFile", passwords),
                    java.util.Map.entry("accessFile", access))) {
                if (!Files.isReadable(needed.getValue())) {
                    thread.shutdownNow();
                    throw new io.daxguard.agent.config.UnusableConfiguredFile("metrics.prometheus." + needed.getKey(),
                            needed.getValue(), "is missing or unreadable; the Prometheus endpoint needs it (or "
                            + "authenticate: false on a loopback host)");
                }
            }
            builder.authenticator(new RoleAuthenticator(new PasswordFile(passwords), new CurrentAccessFile(access),
                    Set.of(Role.MONITOR, Role.CONTROL)));
        }
        if (config.tls().enabled()) {
            builder.httpsConfigurator(TlsContexts.httpsConfigurator(config.tls(), home, "metrics.prometheus.tls"));
        }
        HTTPServer server;
        try {
            server = builder.buildAndStart();
        } catch (IOException | RuntimeException e) {
            thread.shutdownNow();
            throw e;
        }
        LOG.log(System.Logger.Level.INFO, "Prometheus metrics on " + (config.tls().enabled() ? "https" : "http") + "://"
                + config.host() + ":" + server.getPort() + "/metrics" + (config.authenticate() ? ", basic auth" : ""));
        return new PrometheusEndpoint(server, thread);
    }

    /** The port actually bound (0 in the configuration: any free one). */
    public int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        server.close();
        thread.shutdownNow();
    }
}
