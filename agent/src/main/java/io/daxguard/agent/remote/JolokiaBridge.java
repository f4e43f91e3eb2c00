package io.daxguard.agent.remote;

import io.daxguard.agent.config.DaxguardHome;
import com.sun.net.httpserver.Authenticator;
import com.sun.net.httpserver.BasicAuthenticator;
import com.sun.net.httpserver.HttpServer;
import io.daxguard.agent.config.HttpConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jolokia.jvmagent.JolokiaServer;
import org.jolokia.jvmagent.JolokiaServerConfig;
import org.jolokia.server.core.service.api.LogHandler;

/**
 * The optional HTTP/JSON bridge (Jolokia 2) for an appliance's web UI, on one HTTP server with two
 * endpoints: {@code /jolokia/monitor/} (users with role monitor or control: reads and queries) and
 * {@code /jolokia/control/} (role control: also actions). Both authenticate with HTTP basic against the
 * remote JMX password file and see only daxguard's MBeans ({@link DaxguardRestrictor}). Off by default and
 * bound to loopback unless configured otherwise.
 *
 * <p>Jolokia serves the platform MBean server and every server registered with {@code MBeanServerFactory},
 * so the agent's MBeans must be in one of those (the default, {@code jmx.local: true}).
 */
public final class JolokiaBridge implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(JolokiaBridge.class.getName());

    private final HttpServer server;
    private final List<JolokiaServer> endpoints;

    private JolokiaBridge(HttpServer server, List<JolokiaServer> endpoints) {
        this.server = server;
        this.endpoints = endpoints;
    }

    public static JolokiaBridge start(HttpConfig config, Path home) throws IOException {
        Path passwords = DaxguardHome.resolve(home, config.passwordFile());
        Path access = DaxguardHome.resolve(home, config.accessFile());
        if (!Files.isReadable(passwords) || !Files.isReadable(access)) {
            throw new IOException("the HTTP bridge needs " + passwords + " and " + access);
        }
        AccessFile roles = AccessFile.load(access);
        PasswordFile passwordFile = new PasswordFile(passwords);
        HttpServer server = HttpServer.create(new InetSocketAddress(config.host(), config.port()), 0);
        List<JolokiaServer> endpoints = new ArrayList<>();
        endpoints.add(endpoint(server, "monitor", DaxguardRestrictor.Monitor.class,
                authenticator(passwordFile, roles, Set.of(Role.MONITOR, Role.CONTROL))));
        endpoints.add(endpoint(server, "control", DaxguardRestrictor.Control.class,
                authenticator(passwordFile, roles, Set.of(Role.CONTROL))));
        endpoints.forEach(JolokiaServer::start);
        server.start();
        LOG.log(System.Logger.Level.INFO, "HTTP bridge (Jolokia) on http://" + config.host() + ":"
                + server.getAddress().getPort() + "/jolokia/{monitor,control}/");
        return new JolokiaBridge(server, endpoints);
    }

    /** The port actually bound. */
    public int port() {
        return server.getAddress().getPort();
    }

    private static JolokiaServer endpoint(HttpServer server, String role, Class<?> restrictor,
                                          Authenticator authenticator) {
        Map<String, String> settings = Map.of(
                "agentContext", "/jolokia/" + role,
                "restrictorClass", restrictor.getName(),
                "discoveryEnabled", "false",
                "includeStackTrace", "false",
                "allowDnsReverseLookup", "false");
        JolokiaServerConfig config = new JolokiaServerConfig(settings) {
            @Override
            public Authenticator getAuthenticator() {
                return authenticator;
            }
        };
        return new JolokiaServer(server, config, new SystemLoggerHandler());
    }

    private static Authenticator authenticator(PasswordFile passwords, AccessFile roles, Set<Role> allowed) {
        return new BasicAuthenticator("daxguard") {
            @Override
            public boolean checkCredentials(String user, String password) {
                return passwords.accepts(user, password) && roles.roleOf(user).filter(allowed::contains).isPresent();
            }
        };
    }

    @Override
    public void close() {
        endpoints.forEach(JolokiaServer::stop);
        server.stop(0);
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
