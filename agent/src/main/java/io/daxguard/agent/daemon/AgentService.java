package io.daxguard.agent.daemon;

import com.codahale.metrics.MetricFilter;
import com.codahale.metrics.MetricRegistry;
import io.daxguard.agent.config.ConfigurationException;
import io.daxguard.agent.config.DaxguardConfig;
import io.daxguard.agent.jmx.ObjectNames;
import io.daxguard.agent.metrics.AgentMetrics;
import io.daxguard.agent.remote.JolokiaBridge;
import io.daxguard.agent.remote.RemoteJmxServer;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;

/**
 * The agent as a service, in the four steps of Commons Daemon, shared by {@link DaxguardDaemon} (jsvc) and
 * {@code daxguard run} (systemd, a terminal):
 * <ol>
 * <li>{@link #init}: what may need privileges: the remote JMX port is bound (it may be below 1024) and the
 *     metric registry made; nothing runs yet;</li>
 * <li>{@link #start}: the agent (its router and notifier threads), the remote connector, the metrics
 *     reporter, the HTTP bridge; returns once they run;</li>
 * <li>{@link #stop}: the reverse, bounded by {@link #STOP_BOUND}: the ledger is flushed and the MBeans
 *     unregistered by {@link Agent#close};</li>
 * <li>{@link #close}: frees the port.</li>
 * </ol>
 * Not thread safe: one caller (jsvc's thread or the main thread and the shutdown hook in turn) drives it.
 */
public final class AgentService implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(AgentService.class.getName());
    /** The agents of this JVM whose HTTP bridge runs (at most one: see {@link #checkTheBridgeServesThisAgentOnly}). */
    private static final Set<AgentService> BRIDGED = ConcurrentHashMap.newKeySet();
    /** How long {@link #stop} waits for the agent to stop before giving up on it. */
    public static final Duration STOP_BOUND = Duration.ofSeconds(20);
    /** Set while an agent runs in this JVM, so {@code daxguard status} can find it by local attach. */
    public static final String RUNNING_PROPERTY = "io.daxguard.agent.running";

    private final DaxguardConfig config;
    private final Path home;
    private final MBeanServer server;
    /** Whether {@link #server} was made here (and registered with {@link MBeanServerFactory}), so is released here. */
    private final boolean ownsServer;
    private final MetricRegistry metrics = new MetricRegistry();
    private RemoteJmxServer remote;
    private Agent agent;
    private AutoCloseable metricsReporter;
    private JolokiaBridge http;
    private io.daxguard.agent.remote.PrometheusEndpoint prometheus;
    /** Whether this agent set {@link #RUNNING_PROPERTY}: only then does its stop clear it (another agent may run). */
    private boolean saidRunning;

    private AgentService(DaxguardConfig config, Path home, MBeanServer server, boolean ownsServer) {
        this.config = Objects.requireNonNull(config, "config is null");
        this.home = Objects.requireNonNull(home, "home is null");
        this.server = Objects.requireNonNull(server, "server is null");
        this.ownsServer = ownsServer;
    }

    /**
     * Step one: binds what needs binding; on failure nothing is left open. The MBeans go to the platform MBean server
     * ({@code jmx.local}, where a local attach finds them) or to one of their own, which no local attach reaches;
     * with the HTTP bridge it is registered with {@link MBeanServerFactory}, where the bridge finds servers, and
     * without, it is not, so another agent's bridge does not find it either.
     */
    public static AgentService init(DaxguardConfig config, Path home) throws Exception {
        if (config.jmx().local()) {
            return init(config, home, ManagementFactory.getPlatformMBeanServer(), false);
        }
        MBeanServer own = config.http().enabled() ? MBeanServerFactory.createMBeanServer()
                : MBeanServerFactory.newMBeanServer();
        try {
            return init(config, home, own, true);
        } catch (Exception | Error e) {
            MBeanServerFactory.releaseMBeanServer(own);
            throw e;
        }
    }

    /** Step one with a given MBean server (tests use a private one), which stays the caller's. */
    public static AgentService init(DaxguardConfig config, Path home, MBeanServer server) throws Exception {
        return init(config, home, server, false);
    }

    private static AgentService init(DaxguardConfig config, Path home, MBeanServer server, boolean ownsServer)
            throws Exception {
        if (config.http().enabled()) {
            checkTheBridgeServesThisAgentOnly(server);
        }
        AgentService service = new AgentService(config, home, server, ownsServer);
        if (config.jmx().remote().enabled()) {
            service.remote = RemoteJmxServer.bind(config.jmx().remote(), home);
        }
        return service;
    }

    /** The MBean servers the HTTP bridge (Jolokia) serves: the platform's and those registered with the factory. */
    private static List<MBeanServer> servedByTheBridge() {
        List<MBeanServer> served = new ArrayList<>(MBeanServerFactory.findMBeanServer(null));
        MBeanServer platform = ManagementFactory.getPlatformMBeanServer();
        if (!served.contains(platform)) {
            served.add(platform);
        }
        return served;
    }

    /**
     * The HTTP bridge (Jolokia) serves every MBean server of the JVM it finds, the first holding a name answering for
     * it: this agent's server must be one of them, and no other may hold an agent's MBeans already, or the bridge
     * would answer with that agent's.
     */
    private static void checkTheBridgeServesThisAgentOnly(MBeanServer server) throws ConfigurationException {
        List<MBeanServer> served = servedByTheBridge();
        if (!served.contains(server)) {
            throw new ConfigurationException("the agent's MBean server", List.of("http.enabled: the HTTP bridge"
                    + " serves the platform MBean server and those registered with MBeanServerFactory, and this"
                    + " agent's is neither (was true)"));
        }
        if (served.stream().anyMatch(other -> other.isRegistered(ObjectNames.agent()))) {
            throw new ConfigurationException("the agent's MBean server", List.of("http.enabled: another daxguard"
                    + " agent of this JVM has its MBeans where the HTTP bridge looks, and this agent's bridge would"
                    + " answer with them: run each agent with the HTTP bridge in a JVM of its own (was true)"));
        }
    }

    /** Step two. */
    public void start() throws Exception {
        if (agent != null) {
            throw new IllegalStateException("already started");
        }
        if (config.http().enabled()) {
            // Again: another agent made before this one's init, or started again since, may have registered its
            // MBeans where the bridge looks after the check at init.
            checkTheBridgeServesThisAgentOnly(server);
        } else if (!BRIDGED.isEmpty() && servedByTheBridge().contains(server)) {
            // The other way round: this agent's MBeans where another agent's running bridge looks, and the platform
            // server comes first for it.
            throw new ConfigurationException("the agent's MBean server", List.of("jmx.local: another daxguard agent"
                    + " of this JVM runs the HTTP bridge, which would answer with this agent's MBeans: keep them out"
                    + " of its reach with jmx.local: false (was " + config.jmx().local() + ")"));
        }
        agent = Agent.start(SettingsMapping.toSettings(config, home, server).withMetrics(metrics));
        try {
            metricsReporter = AgentMetrics.start(metrics, agent.ledger(), agent.router()::pending,
                    agent.scrubber()::bytesPerSecond, agent.scrubber().rateLimit(), agent.sources(),
                    agent.filesystems()::all, agent.events(),
                    config.metrics().jmx() ? java.util.Optional.of(server) : java.util.Optional.empty());
            if (remote != null) {
                remote.start(server);
            }
            if (config.http().enabled()) {
                http = JolokiaBridge.start(config.http(), home);
                BRIDGED.add(this);
            }
            if (config.metrics().prometheus().enabled()) {
                Agent started = agent;
                prometheus = io.daxguard.agent.remote.PrometheusEndpoint.start(config.metrics().prometheus(), home,
                        new io.daxguard.agent.metrics.PrometheusMetrics(new io.daxguard.agent.metrics.PrometheusMetrics
                                .Sources(started.ledger(), started.sources(), started.filesystems()::all,
                                started.scrubber()::progress, started.router()::pending, metrics)));
            }
        } catch (Exception e) {
            stop();
            throw e;
        }
        if (server == ManagementFactory.getPlatformMBeanServer()) {
            // How `daxguard status` finds the agent by local attach, which reaches the platform MBean server only.
            System.setProperty(RUNNING_PROPERTY, Agent.version());
            saidRunning = true;
        }
    }

    public MetricRegistry metrics() {
        return metrics;
    }

    public MBeanServer mbeanServer() {
        return server;
    }

    /** The remote JMX address, when remote JMX is on. */
    public java.util.Optional<javax.management.remote.JMXServiceURL> remoteAddress() {
        return remote == null ? java.util.Optional.empty() : java.util.Optional.of(remote.address());
    }

    /** The HTTP bridge's port, when it runs. */
    public java.util.OptionalInt httpPort() {
        return http == null ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(http.port());
    }

    /** The Prometheus endpoint's port, when it runs. */
    public java.util.OptionalInt prometheusPort() {
        return prometheus == null ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(prometheus.port());
    }

    /** The running agent; empty before start and after stop. */
    public java.util.Optional<Agent> agent() {
        return java.util.Optional.ofNullable(agent);
    }

    /** Step three: stops everything started, within {@link #STOP_BOUND}; may be started again. */
    public void stop() {
        if (saidRunning) {
            System.clearProperty(RUNNING_PROPERTY);
            saidRunning = false;
        }
        BRIDGED.remove(this);
        closeQuietly(http);
        http = null;
        closeQuietly(prometheus);
        prometheus = null;
        if (remote != null) {
            remote.stop();
        }
        closeQuietly(metricsReporter);
        metricsReporter = null;
        Agent stopping = agent;
        agent = null;
        if (stopping != null) {
            closeWithinBound(stopping);
        }
        // The gauges read the stopped agent's ledger, sources, hooks and holders: a start after this one registers its
        // own (a metric of the same name left here would refuse them, or keep reading the stopped agent).
        metrics.removeMatching(MetricFilter.ALL);
    }

    private static void closeWithinBound(Agent stopping) {
        ExecutorService stopper = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "daxguard-stop");
            thread.setDaemon(true);
            return thread;
        });
        try {
            Future<?> stopped = stopper.submit(stopping::close);
            stopped.get(STOP_BOUND.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException slow) {
            LOG.log(System.Logger.Level.ERROR, "the agent did not stop within " + STOP_BOUND + "; giving up on it");
        } catch (ExecutionException failed) {
            LOG.log(System.Logger.Level.ERROR, "the agent failed to stop cleanly", failed.getCause());
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        } finally {
            stopper.shutdownNow();
        }
    }

    /** Step four: stops if still running, then frees the port and an MBean server made in step one. */
    @Override
    public void close() {
        stop();
        if (remote != null) {
            remote.close();
            remote = null;
        }
        if (ownsServer && MBeanServerFactory.findMBeanServer(null).contains(server)) {
            MBeanServerFactory.releaseMBeanServer(server);
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "while stopping: " + e.getMessage());
        }
    }
}
