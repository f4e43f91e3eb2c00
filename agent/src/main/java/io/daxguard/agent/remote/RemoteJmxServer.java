package io.daxguard.agent.remote;

import io.daxguard.agent.config.DaxguardHome;
import io.daxguard.agent.config.RemoteJmxConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.rmi.AlreadyBoundException;
import java.rmi.NoSuchObjectException;
import java.rmi.NotBoundException;
import java.rmi.registry.LocateRegistry;
import java.rmi.registry.Registry;
import java.rmi.server.RMIClientSocketFactory;
import java.rmi.server.RMIServerSocketFactory;
import java.rmi.server.UnicastRemoteObject;
import java.security.GeneralSecurityException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import javax.management.MBeanServer;
import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXServiceURL;
import javax.management.remote.rmi.RMIConnection;
import javax.management.remote.rmi.RMIConnectorServer;
import javax.management.remote.rmi.RMIJRMPServerImpl;
import javax.net.ssl.SSLContext;
import javax.rmi.ssl.SslRMIClientSocketFactory;
import javax.security.auth.Subject;

/**
 * The remote JMX connector: the RMI registry and the connector on one fixed port and one address, with
 * authentication (the JDK's password file, whose clear-text passwords it hashes in place, or a JAAS login
 * configuration), optional TLS (and client certificates), and {@link RoleEnforcer} for the monitor/control
 * split. The client URL is {@code service:jmx:rmi:///jndi/rmi://HOST:PORT/jmxrmi}, which jconsole accepts.
 *
 * <p>{@link #bind} opens the port (it may be privileged: Commons Daemon's init step), {@link #start} serves
 * an MBean server on it, {@link #stop} ends the connector (connected clients are dropped), {@link #close}
 * frees the port.
 */
public final class RemoteJmxServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RemoteJmxServer.class.getName());
    private static final String BINDING = "jmxrmi";
    /**
     * How long the JDK's connector keeps an idle client connection open; {@code Long.MAX_VALUE}: no limit, and then
     * the connector starts no {@code JMX server connection timeout} thread per connection, which every finished call
     * woke (a futex wake and a switch to that thread per call: a measurable part of a warm one-block {@code resolve}).
     * A client that vanished without closing is still closed: its connection object is released when the client's
     * RMI lease lapses ({@code java.rmi.dgc.leaseValue}, 10 minutes), and the JDK then closes the connection.
     */
    static final String SERVER_CONNECTION_TIMEOUT = "jmx.remote.x.server.connection.timeout";

    private final RemoteJmxConfig config;
    private final Path home;
    private final BoundServerSocketFactory serverSockets;
    private final RMIClientSocketFactory clientSockets;
    private final Registry registry;
    private final String host;
    private JMXConnectorServer connector;

    private RemoteJmxServer(RemoteJmxConfig config, Path home, BoundServerSocketFactory serverSockets,
                            RMIClientSocketFactory clientSockets, Registry registry, String host) {
        this.config = config;
        this.home = home;
        this.serverSockets = serverSockets;
        this.clientSockets = clientSockets;
        this.registry = registry;
        this.host = host;
    }

    /** Opens the port. Refuses an unauthenticated connector unless {@code allowInsecure} says so. */
    public static RemoteJmxServer bind(RemoteJmxConfig config, Path home) throws IOException, GeneralSecurityException {
        if (!config.authenticate()) {
            if (!config.allowInsecure()) {
                throw new IllegalStateException("remote JMX without authentication needs jmx.remote.allowInsecure: true");
            }
            LOG.log(System.Logger.Level.WARNING, "REMOTE JMX WITHOUT AUTHENTICATION on " + config.bindAddress() + ":"
                    + config.port() + ": anyone who reaches this port has role " + config.anonymousRole()
                    + " (jmx.remote.allowInsecure, anonymousRole)");
        }
        InetAddress address = InetAddress.getByName(config.bindAddress());
        String host = address.isAnyLocalAddress() ? InetAddress.getLocalHost().getHostName() : config.bindAddress();
        if (!address.isAnyLocalAddress() && System.getProperty("java.rmi.server.hostname") == null) {
            // Stubs carry the host their clients dial back to; it must be the address the port is bound to.
            System.setProperty("java.rmi.server.hostname", config.bindAddress());
        }
        SSLContext tls = config.tls().enabled() ? TlsContexts.of(config.tls(), home, "jmx.remote.tls") : null;
        BoundServerSocketFactory serverSockets = new BoundServerSocketFactory(address, tls,
                config.tls().enabled() && config.tls().needClientAuth());
        RMIClientSocketFactory clientSockets = tls == null ? null : new SslRMIClientSocketFactory();
        Registry registry = LocateRegistry.createRegistry(config.port(), clientSockets, serverSockets);
        return new RemoteJmxServer(config, home, serverSockets, clientSockets, registry, host);
    }

    /** Serves {@code server} on the port. */
    public synchronized void start(MBeanServer server) throws IOException {
        Map<String, Object> environment = new HashMap<>();
        if (!config.authenticate()) {
            // Callers still get a subject, so roles hold for them (the anonymous role).
            environment.put(JMXConnectorServer.AUTHENTICATOR, new AnonymousLogin());
        } else if (!config.loginConfig().isBlank()) {
            environment.put("jmx.remote.x.login.config", config.loginConfig());
        } else {
            Path passwords = DaxguardHome.resolve(home, config.passwordFile());
            if (!Files.isReadable(passwords)) {
                throw new io.daxguard.agent.config.UnusableConfiguredFile("jmx.remote.passwordFile", passwords,
                        "is missing or unreadable");
            }
            environment.put("jmx.remote.x.password.file", passwords.toString());
            // Clear-text passwords are replaced by salted SHA3-512 hashes at the first login.
            environment.put("jmx.remote.x.password.toHashes", "true");
        }
        if (clientSockets != null) {
            environment.put(RMIConnectorServer.RMI_CLIENT_SOCKET_FACTORY_ATTRIBUTE, clientSockets);
        }
        environment.put(RMIConnectorServer.RMI_SERVER_SOCKET_FACTORY_ATTRIBUTE, serverSockets);
        // Only a user name and password may be deserialized before authentication.
        environment.put("jmx.remote.rmi.server.credential.types",
                new String[] {String[].class.getName(), String.class.getName()});
        // After it, only what open types, notification filters and queries need: call arguments are read
        // before RoleEnforcer sees the call, so this bounds what even a user without a role reaches.
        environment.put(RMIConnectorServer.SERIAL_FILTER_PATTERN, ConnectorSerialFilter.PATTERN);
        environment.put(SERVER_CONNECTION_TIMEOUT, Long.MAX_VALUE);
        // Roles hold on every connector; without authentication every caller is anonymous and has the
        // configured anonymous role (allowInsecure).
        // The access file as it is at each call, not as it was at start: a role taken away holds at once.
        Function<String, Optional<Role>> roleOfUser = config.authenticate()
                ? new CurrentAccessFile(DaxguardHome.resolve(home, config.accessFile()))::roleOf
                : user -> Optional.empty();
        RemoteCallers callers = new RemoteCallers(roleOfUser, config.authenticate() ? Optional.empty()
                : Optional.of(Role.named(config.anonymousRole())));
        // Notification listeners are added by the connector's notification forwarder, past the MBeanServerForwarder;
        // the role rule reaches them here (the connector reads its environment when a client connects).
        environment.put(RoleNotificationAccess.ENVIRONMENT_KEY, RoleNotificationAccess.controller(callers));
        RMIJRMPServerImpl rmiServer = new RoleCheckedLogins(config.port(), clientSockets, serverSockets, environment,
                callers);
        JMXServiceURL url = new JMXServiceURL("rmi", host, config.port());
        RMIConnectorServer started = new RMIConnectorServer(url, environment, rmiServer, server);
        started.setMBeanServerForwarder(RoleEnforcer.forwarder(callers));
        started.start();
        try {
            registry.bind(BINDING, rmiServer.toStub());
        } catch (AlreadyBoundException stale) {
            registry.rebind(BINDING, rmiServer.toStub());
        }
        connector = started;
        LOG.log(System.Logger.Level.INFO, "remote JMX on " + address() + (config.tls().enabled() ? " (TLS)" : "")
                + (config.authenticate() ? "" : " WITHOUT AUTHENTICATION"));
    }

    /**
     * The connector's server object, which refuses a login whose user has no role now: such a user could do nothing
     * on the connection (every call and notification is checked again), so it is not given one, as the HTTP bridge
     * refuses it too. The password or login module has already accepted the credentials when this runs.
     */
    private static final class RoleCheckedLogins extends RMIJRMPServerImpl {
        private final RemoteCallers callers;

        RoleCheckedLogins(int port, RMIClientSocketFactory clientSockets, RMIServerSocketFactory serverSockets,
                          Map<String, ?> environment, RemoteCallers callers) throws IOException {
            super(port, clientSockets, serverSockets, environment);
            this.callers = callers;
        }

        @Override
        protected RMIConnection makeClient(String connectionId, Subject subject) throws IOException {
            if (subject == null) {
                // Every connector here authenticates (AnonymousLogin without a password file); a client without a
                // subject would pass RoleEnforcer as the connector's own calls do.
                throw new SecurityException("login refused: no authenticated user");
            }
            RemoteCallers.Caller caller = callers.of(subject);
            if (caller.role().isEmpty()) {
                throw new SecurityException("login refused: " + RemoteCallers.noRole(caller));
            }
            return super.makeClient(connectionId, subject);
        }
    }

    /** Where clients connect. */
    public JMXServiceURL address() {
        try {
            return new JMXServiceURL("service:jmx:rmi:///jndi/rmi://" + host + ":" + config.port() + "/" + BINDING);
        } catch (java.net.MalformedURLException cannotHappen) {
            throw new IllegalStateException(cannotHappen);
        }
    }

    /** Ends the connector; the port stays bound until {@link #close}. */
    public synchronized void stop() {
        if (connector == null) {
            return;
        }
        try {
            registry.unbind(BINDING);
        } catch (NotBoundException | IOException ignored) {
            // Already gone.
        }
        try {
            connector.stop();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "remote JMX connector did not stop cleanly: " + e.getMessage());
        }
        connector = null;
    }

    @Override
    public synchronized void close() {
        stop();
        try {
            UnicastRemoteObject.unexportObject(registry, true);
        } catch (NoSuchObjectException alreadyGone) {
            // Nothing to free.
        }
    }
}
