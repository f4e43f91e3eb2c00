package io.daxguard.agent.remote;

import com.sun.net.httpserver.Authenticator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsServer;
import io.daxguard.agent.config.DaxguardHome;
import io.daxguard.agent.config.HttpConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import javax.management.remote.JMXPrincipal;
import javax.security.auth.Subject;
import org.jolokia.jvmagent.JolokiaServer;
import org.jolokia.jvmagent.JolokiaServerConfig;
import org.jolokia.server.core.service.api.LogHandler;

/**
 * The optional HTTP/JSON bridge (Jolokia 2) for an appliance's web UI, on one HTTP server with two
 * endpoints: {@code /jolokia/monitor/} (users with role monitor or control: reads and queries) and
 * {@code /jolokia/control/} (role control: also actions). Both authenticate with HTTP basic against the
 * remote JMX password file, see only daxguard's MBeans ({@link DaxguardRestrictor}) and run each request as
 * its user, so the audit trail names the HTTP user. Every request first passes the {@link BridgeGate} (origin,
 * method, no JSONP, no notification requests); operations run by POST only. Requests are served by a pool of {@code http.threads} threads
 * ({@code daxguard-http-N}), over HTTPS when {@code http.tls} says so. Jolokia's JSR-160 proxy (which would
 * have the agent open JMX connections to any host a request names) is not shipped and is disabled. Off by
 * default and bound to loopback unless configured otherwise.
 *
 * <p>Jolokia serves the platform MBean server and every server registered with {@code MBeanServerFactory}: the
 * agent's MBeans are in the first with {@code jmx.local: true} (the default), in one of the second without
 * ({@code AgentService#init}).
 */
public final class JolokiaBridge implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(JolokiaBridge.class.getName());
    /** Jolokia's proxy service; not on the class path, and disabled should a jar bring it back. */
    static final String JSR160_PROXY = "org.jolokia.service.jsr160.Jsr160RequestHandler";
    /**
     * Jolokia's notification backends: the gate refuses notification requests ({@link BridgeRequests}), and
     * without a backend a request that got past it could not be delivered anything.
     */
    static final String NOTIFICATION_BACKENDS = "org.jolokia.service.notif.pull.PullNotificationBackend,"
            + "org.jolokia.service.notif.sse.SseNotificationBackend";
    /** Where Jolokia looks for the subject to run a request as. */
    private static final String SUBJECT_ATTRIBUTE = "org.jolokia.jaasSubject";

    private final HttpServer server;
    private final ExecutorService threads;
    private final List<JolokiaServer> endpoints;

    private JolokiaBridge(HttpServer server, ExecutorService threads, List<JolokiaServer> endpoints) {
        this.server = server;
        this.threads = threads;
        this.endpoints = endpoints;
    }

    public static JolokiaBridge start(HttpConfig config, Path home) throws IOException, GeneralSecurityException {
        HttpLimits.apply();
        Path passwords = DaxguardHome.resolve(home, config.passwordFile());
        Path access = DaxguardHome.resolve(home, config.accessFile());
        if (!Files.isReadable(passwords)) {
            throw new io.daxguard.agent.config.UnusableConfiguredFile("http.passwordFile", passwords,
                    "is missing or unreadable; the HTTP bridge needs it");
        }
        if (!Files.isReadable(access)) {
            throw new io.daxguard.agent.config.UnusableConfiguredFile("http.accessFile", access,
                    "is missing or unreadable; the HTTP bridge needs it");
        }
        CurrentAccessFile roles = new CurrentAccessFile(access);
        PasswordFile passwordFile = new PasswordFile(passwords);
        HttpServer server = listen(config, home);
        ExecutorService threads = Executors.newFixedThreadPool(config.threads(), new NamedThreads());
        server.setExecutor(threads);
        BridgeGate gate = new BridgeGate(Set.copyOf(config.allowedOrigins()));
        List<JolokiaServer> endpoints = new ArrayList<>();
        try {
            endpoints.add(endpoint(new GatedHttpServer(server, gate, authenticator(passwordFile, roles,
                    Set.of(Role.MONITOR, Role.CONTROL))), "monitor", DaxguardRestrictor.Monitor.class));
            endpoints.add(endpoint(new GatedHttpServer(server, gate, authenticator(passwordFile, roles,
                    Set.of(Role.CONTROL))), "control", DaxguardRestrictor.Control.class));
            endpoints.forEach(JolokiaServer::start);
            server.start();
        } catch (RuntimeException e) {
            endpoints.forEach(JolokiaServer::stop);
            server.stop(0);
            threads.shutdownNow();
            throw e;
        }
        String scheme = config.tls().enabled() ? "https" : "http";
        LOG.log(System.Logger.Level.INFO, "HTTP bridge (Jolokia) on " + scheme + "://" + config.host() + ":"
                + server.getAddress().getPort() + "/jolokia/{monitor,control}/, " + config.threads() + " threads");
        return new JolokiaBridge(server, threads, endpoints);
    }

    private static HttpServer listen(HttpConfig config, Path home) throws IOException, GeneralSecurityException {
        InetSocketAddress address = new InetSocketAddress(config.host(), config.port());
        if (!config.tls().enabled()) {
            return HttpServer.create(address, 0);
        }
        HttpsServer server = HttpsServer.create(address, 0);
        server.setHttpsConfigurator(TlsContexts.httpsConfigurator(config.tls(), home, "http.tls"));
        return server;
    }

    /** The port actually bound. */
    public int port() {
        return server.getAddress().getPort();
    }

    private static JolokiaServer endpoint(HttpServer server, String role, Class<?> restrictor) {
        Map<String, String> settings = Map.of(
                "agentContext", "/jolokia/" + role,
                "restrictorClass", restrictor.getName(),
                "disabledServices", JSR160_PROXY + "," + NOTIFICATION_BACKENDS,
                "discoveryEnabled", "false",
                "includeStackTrace", "false",
                "allowDnsReverseLookup", "false");
        // The authenticator is the GatedHttpServer's, set on every context; Jolokia's own stays unset.
        return new JolokiaServer(server, new JolokiaServerConfig(settings), new SystemLoggerHandler());
    }

    /**
     * HTTP basic against the password file, for users whose role is one of {@code allowed}; an accepted request
     * carries its user as a {@link Subject} (a {@link JMXPrincipal}, as remote JMX gives), which Jolokia runs
     * the request as.
     */
    private static Authenticator authenticator(PasswordFile passwords, CurrentAccessFile roles,
                                               Set<Role> allowed) {
        return new RoleAuthenticator(passwords, roles, allowed) {
            @Override
            public Result authenticate(HttpExchange exchange) {
                Result result = super.authenticate(exchange);
                if (result instanceof Success success) {
                    Subject subject = new Subject(true, Set.of(new JMXPrincipal(success.getPrincipal().getUsername())),
                            Set.of(), Set.of());
                    exchange.setAttribute(SUBJECT_ATTRIBUTE, subject);
                }
                return result;
            }
        };
    }

    @Override
    public void close() {
        endpoints.forEach(JolokiaServer::stop);
        server.stop(0);
        threads.shutdownNow();
    }

    /** The bridge's request threads, {@code daxguard-http-N}. */
    private static final class NamedThreads implements ThreadFactory {
        private final AtomicInteger next = new AtomicInteger(1);

        @Override
        public Thread newThread(Runnable runnable) {
            Thread thread = new Thread(runnable, "daxguard-http-" + next.getAndIncrement());
            thread.setDaemon(true);
            return thread;
        }
    }

    /** Jolokia's messages go to the agent's log. */
    private static final class SystemLoggerHandler implements LogHandler {
        private static final System.Logger JOLOKIA = System.getLogger("org.jolokia");

        @Override
        public void debug(String message) {
            JOLOKIA.log(System.Logger.Level.DEBUG, message);
        }

        @Override
        public void info(String message) {
            JOLOKIA.log(System.Logger.Level.INFO, message);
        }

        @Override
        public void error(String message, Throwable error) {
            JOLOKIA.log(System.Logger.Level.ERROR, message, error);
        }

        @Override
        public boolean isDebug() {
            return false;
        }
    }
}
