package io.daxguard.agent.daemon;

import io.daxguard.agent.source.FailureSources;
import io.daxguard.agent.validation.InputValidator;
import io.daxguard.agent.source.SourceSettings;
import io.daxguard.agent.jmx.JmxSurface;
import io.daxguard.agent.ledger.DamageLedger;
import io.daxguard.agent.ledger.LedgerSettings;
import io.daxguard.agent.ledger.SqliteDamageLedger;
import com.codahale.metrics.MetricRegistry;
import io.daxguard.agent.plugins.Filesystems;
import io.daxguard.agent.plugins.PluginHost;
import io.daxguard.agent.recovery.RecoverySettings;
import io.daxguard.agent.recovery.LedgerReconciler;
import io.daxguard.agent.route.FailureProcessor;
import io.daxguard.agent.source.scrub.Scrubber;
import io.daxguard.agent.topology.TopologyReader;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.management.JMException;
import javax.management.MBeanServer;

/**
 * One running daxguard: wires plugins, topology, the failure processor, the ledger and the JMX surface, and
 * takes them down in reverse order.
 *
 * <p>Threads it owns (through its parts): the router thread of {@link FailureProcessor}, the notifier
 * thread of {@link JmxSurface}, the ledger's writer thread, the ingest, kmsg and badblocks threads of
 * {@link FailureSources}, the scrub threads of {@link Scrubber}, and its own {@code daxguard-identity-check}
 * (files with open damage still exist?). {@link #close} stops them, sources and scrubs first.
 */
public final class Agent implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Agent.class.getName());

    private final InputValidator validator;
    private final DamageLedger ledger;
    private final Filesystems filesystems;
    private final FailureProcessor processor;
    private final JmxSurface jmx;
    private final ScheduledExecutorService identityCheck = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "daxguard-identity-check");
        thread.setDaemon(true);
        return thread;
    });
    private final FailureSources sources;
    private final Scrubber scrubber;

    private Agent(Settings settings) throws IOException, JMException {
        // What is started is stopped again, newest first, if a later step fails.
        java.util.Deque<AutoCloseable> started = new java.util.ArrayDeque<>();
        try {
            validator = new InputValidator();
            started.push(validator);
            // Replayed before anything routes: a tuple arriving now is checked against the damage already known.
            ledger = SqliteDamageLedger.open(settings.stateDirectory(), settings.ledger(), Clock.systemUTC(),
                    settings.metrics().timer("ledger.commit"));
            started.push(ledger);
            PluginHost plugins = PluginHost.load(settings.pluginLoader(), settings.pluginDirectory())
                    .withServices(settings.metrics(), settings.pluginSettings());
            filesystems = new Filesystems(plugins, settings.watchedMountPoints());
            started.push(filesystems);
            processor = new FailureProcessor(new TopologyReader(settings.sysfs(), settings.mountinfo()), filesystems,
                    ledger);
            started.push(processor);
            // Before anything is announced: files gone while the agent was down become FILE_GONE, not MBeans.
            LedgerReconciler.checkFiles(ledger, filesystems.all(), Clock.systemUTC());
            jmx = new JmxSurface(settings.mbeanServer(), version(), plugins, processor, ledger, validator,
                    Clock.systemUTC(), settings.fileMBeansPerFilesystem(), settings.recovery());
            started.push(jmx);
            sources = new FailureSources(settings.sources(), settings.sysfs(), processor, Clock.systemUTC(),
                    jmx::badRangesCleared);
            started.push(sources);
            scrubber = new Scrubber(processor, sources.queue(), settings.stateDirectory(),
                    settings.sources().devices(), settings.sources().scrubRateLimit(), Clock.systemUTC(),
                    jmx::scrubFinished);
            started.push(scrubber);
            jmx.useScrubber(scrubber);
            jmx.start();
            LedgerReconciler.reconcileBadblocks(processor, ledger, settings.sysfs(), Clock.systemUTC());
            sources.start();
            scrubber.resumeSaved();
            scrubber.scheduleEvery(settings.sources().scrubEvery());
            long every = settings.recovery().identityCheckInterval().toMillis();
            identityCheck.scheduleWithFixedDelay(this::checkFiles, every, every, TimeUnit.MILLISECONDS);
        } catch (IOException | JMException | RuntimeException e) {
            identityCheck.shutdownNow();
            while (!started.isEmpty()) {
                try {
                    started.pop().close();
                } catch (Exception cleanup) {
                    e.addSuppressed(cleanup);
                }
            }
            throw e;
        }
    }

    /** Starts an agent; on failure, whatever was started is stopped again. */
    public static Agent start(Settings settings) throws IOException, JMException {
        Agent agent = new Agent(settings);
        LOG.log(System.Logger.Level.INFO, "daxguard " + version() + " started; holding "
                + agent.filesystems.all().stream().filter(fs -> fs.holder().isPresent()).count() + " filesystem(s)");
        return agent;
    }

    /** The plain-text status report, as the Agent MBean's {@code status()} gives it. */
    public String status() {
        return jmx.status();
    }

    /** Files with open damage that no longer exist become FILE_GONE; a failure is logged, never fatal. */
    public void checkFiles() {
        try {
            LedgerReconciler.checkFiles(ledger, filesystems.all(), Clock.systemUTC());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "identity check of damaged files failed: " + e);
        }
    }

    public FailureProcessor processor() {
        return processor;
    }

    public DamageLedger ledger() {
        return ledger;
    }

    /** The ingest queue and the kernel log and badblocks sources. */
    public FailureSources sources() {
        return sources;
    }

    public Scrubber scrubber() {
        return scrubber;
    }

    public static String version() {
        String version = Agent.class.getPackage().getImplementationVersion();
        return version != null ? version : "development";
    }

    @Override
    public void close() {
        scrubber.close();
        sources.close();
        identityCheck.shutdownNow();
        // The router drains what is queued before the MBeans go, so nothing is registered after they went.
        processor.close();
        jmx.close();
        filesystems.close();
        ledger.close();
        validator.close();
        LOG.log(System.Logger.Level.INFO, "daxguard stopped");
    }

    /**
     * What an agent needs to start; {@link #defaults()} is the embedded default configuration, and each
     * {@code with...} method gives a copy with one setting changed.
     *
     * @param sysfs                    where sysfs is mounted
     * @param mountinfo                the mount table to read
     * @param mbeanServer              where MBeans go
     * @param pluginLoader             where plugins on the class path are looked up
     * @param fileMBeansPerFilesystem  at most this many DamagedFile MBeans per filesystem
     * @param stateDirectory           where the agent keeps what must survive a restart (ledger, scrub positions)
     * @param ledger                   retention and retry of the durable ledger
     * @param recovery                 replica provider and procfs for the repairs of damaged files
     * @param pluginDirectory          plugins in subdirectories ({@code xfs/*.jar}), each in its own class loader;
     *                                 a directory that does not exist holds none
     * @param pluginSettings           settings for each plugin, by filesystem type
     * @param metrics                  the registry every part counts into (and plugins get)
     * @param sources                  kmsg, badblocks, ingest queue and scrub settings
     * @param watchedMountPoints       hold only filesystems mounted at or below these directories; empty: all
     */
    public record Settings(Path sysfs, Path mountinfo, MBeanServer mbeanServer, ClassLoader pluginLoader,
                           int fileMBeansPerFilesystem, Path stateDirectory, LedgerSettings ledger,
                           RecoverySettings recovery, Path pluginDirectory,
                           Map<String, Map<String, String>> pluginSettings, MetricRegistry metrics,
                           SourceSettings sources, List<Path> watchedMountPoints) {
        public Settings {
            watchedMountPoints = List.copyOf(Objects.requireNonNull(watchedMountPoints, "watchedMountPoints is null"));
            Objects.requireNonNull(sources, "sources is null");
            Objects.requireNonNull(sysfs, "sysfs is null");
            Objects.requireNonNull(mountinfo, "mountinfo is null");
            Objects.requireNonNull(mbeanServer, "mbeanServer is null");
            Objects.requireNonNull(pluginLoader, "pluginLoader is null");
            Objects.requireNonNull(stateDirectory, "stateDirectory is null");
            Objects.requireNonNull(ledger, "ledger is null");
            Objects.requireNonNull(recovery, "recovery is null");
            Objects.requireNonNull(pluginDirectory, "pluginDirectory is null");
            pluginSettings = Map.copyOf(Objects.requireNonNull(pluginSettings, "pluginSettings is null"));
            Objects.requireNonNull(metrics, "metrics is null");
            if (fileMBeansPerFilesystem < 0) {
                throw new IllegalArgumentException("fileMBeansPerFilesystem must not be negative, was "
                        + fileMBeansPerFilesystem);
            }
        }

        public static Settings defaults() {
            return new Settings(Path.of("/sys"), Path.of("/proc/self/mountinfo"),
                    ManagementFactory.getPlatformMBeanServer(), Agent.class.getClassLoader(), 10_000,
                    Path.of("/var/lib/daxguard"), LedgerSettings.defaults(), RecoverySettings.defaults(),
                    Path.of("/usr/share/daxguard/plugins"), Map.of(), new MetricRegistry(), SourceSettings.defaults(),
                    List.of());
        }

        public Settings withMBeanServer(MBeanServer server) {
            return copy().mbeanServer(server).build();
        }

        public Settings withStateDirectory(Path directory) {
            return copy().stateDirectory(directory).build();
        }

        public Settings withLedger(LedgerSettings settings) {
            return copy().ledger(settings).build();
        }

        public Settings withRecovery(RecoverySettings settings) {
            return copy().recovery(settings).build();
        }

        public Settings withPluginDirectory(Path directory) {
            return copy().pluginDirectory(directory).build();
        }

        public Settings withFileMBeansPerFilesystem(int cap) {
            return copy().fileMBeansPerFilesystem(cap).build();
        }

        public Settings withPluginSettings(Map<String, Map<String, String>> settings) {
            return copy().pluginSettings(settings).build();
        }

        public Settings withMetrics(MetricRegistry registry) {
            return copy().metrics(registry).build();
        }

        public Settings withSources(SourceSettings settings) {
            return copy().sources(settings).build();
        }

        public Settings withSysfs(Path root) {
            return copy().sysfs(root).build();
        }

        public Settings withWatchedMountPoints(List<Path> mountPoints) {
            return copy().watchedMountPoints(mountPoints).build();
        }

        private Copy copy() {
            return new Copy(this);
        }

        /** A mutable copy, so that each {@code with...} names only what it changes. */
        private static final class Copy {
            private Path sysfs;
            private Path mountinfo;
            private MBeanServer mbeanServer;
            private ClassLoader pluginLoader;
            private int fileMBeansPerFilesystem;
            private Path stateDirectory;
            private LedgerSettings ledger;
            private RecoverySettings recovery;
            private Path pluginDirectory;
            private Map<String, Map<String, String>> pluginSettings;
            private MetricRegistry metrics;
            private SourceSettings sources;
            private List<Path> watchedMountPoints;

            Copy(Settings from) {
                sysfs = from.sysfs;
                mountinfo = from.mountinfo;
                mbeanServer = from.mbeanServer;
                pluginLoader = from.pluginLoader;
                fileMBeansPerFilesystem = from.fileMBeansPerFilesystem;
                stateDirectory = from.stateDirectory;
                ledger = from.ledger;
                recovery = from.recovery;
                pluginDirectory = from.pluginDirectory;
                pluginSettings = from.pluginSettings;
                metrics = from.metrics;
                sources = from.sources;
                watchedMountPoints = from.watchedMountPoints;
            }

            Copy sysfs(Path value) {
                sysfs = value;
                return this;
            }

            Copy watchedMountPoints(List<Path> value) {
                watchedMountPoints = value;
                return this;
            }

            Copy sources(SourceSettings value) {
                sources = value;
                return this;
            }

            Copy mbeanServer(MBeanServer value) {
                mbeanServer = value;
                return this;
            }

            Copy fileMBeansPerFilesystem(int value) {
                fileMBeansPerFilesystem = value;
                return this;
            }

            Copy stateDirectory(Path value) {
                stateDirectory = value;
                return this;
            }

            Copy ledger(LedgerSettings value) {
                ledger = value;
                return this;
            }

            Copy recovery(RecoverySettings value) {
                recovery = value;
                return this;
            }

            Copy pluginDirectory(Path value) {
                pluginDirectory = value;
                return this;
            }

            Copy pluginSettings(Map<String, Map<String, String>> value) {
                pluginSettings = value;
                return this;
            }

            Copy metrics(MetricRegistry value) {
                metrics = value;
                return this;
            }

            Settings build() {
                return new Settings(sysfs, mountinfo, mbeanServer, pluginLoader, fileMBeansPerFilesystem,
                        stateDirectory, ledger, recovery, pluginDirectory, pluginSettings, metrics, sources,
                        watchedMountPoints);
            }
        }
    }
}
