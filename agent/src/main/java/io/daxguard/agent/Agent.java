package io.daxguard.agent;

import io.daxguard.agent.ingest.InputValidator;
import io.daxguard.agent.jmx.JmxSurface;
import io.daxguard.agent.ledger.DamageLedger;
import io.daxguard.agent.ledger.InMemoryDamageLedger;
import io.daxguard.agent.metrics.TimedLedger;
import io.daxguard.agent.plugins.Filesystems;
import io.daxguard.agent.plugins.PluginHost;
import io.daxguard.agent.route.FailureProcessor;
import io.daxguard.agent.topology.TopologyReader;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import com.codahale.metrics.MetricRegistry;
import java.nio.file.Path;
import java.util.Map;
import java.time.Clock;
import java.util.Objects;
import javax.management.JMException;
import javax.management.MBeanServer;

/**
 * One running daxguard: wires plugins, topology, the failure processor, the ledger and the JMX surface, and
 * takes them down in reverse order.
 *
 * <p>Threads it owns (through its parts): the router thread of {@link FailureProcessor} and the notifier
 * thread of {@link JmxSurface}. {@link #close} stops both and closes every holder.
 */
public final class Agent implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Agent.class.getName());

    private final InputValidator validator;
    private final DamageLedger ledger;
    private final Filesystems filesystems;
    private final FailureProcessor processor;
    private final JmxSurface jmx;

    private Agent(Settings settings) throws IOException, JMException {
        validator = new InputValidator();
        ledger = new TimedLedger(new InMemoryDamageLedger(), settings.metrics().timer("ledger.commit"));
        PluginHost plugins = PluginHost.load(settings.pluginLoader(), settings.pluginDirectory())
                .withServices(settings.metrics(), settings.pluginSettings());
        filesystems = new Filesystems(plugins);
        processor = new FailureProcessor(new TopologyReader(settings.sysfs(), settings.mountinfo()), filesystems, ledger);
        jmx = new JmxSurface(settings.mbeanServer(), version(), plugins, processor, ledger, validator,
                Clock.systemUTC(), settings.fileMBeansPerFilesystem());
        jmx.start();
    }

    /** Starts an agent; on failure, whatever was started is stopped again. */
    public static Agent start(Settings settings) throws IOException, JMException {
        Agent agent = new Agent(settings);
        LOG.log(System.Logger.Level.INFO, "daxguard " + version() + " started; holding "
                + agent.filesystems.all().stream().filter(fs -> fs.holder().isPresent()).count() + " filesystem(s)");
        return agent;
    }

    public FailureProcessor processor() {
        return processor;
    }

    public DamageLedger ledger() {
        return ledger;
    }

    public static String version() {
        String version = Agent.class.getPackage().getImplementationVersion();
        return version != null ? version : "development";
    }

    @Override
    public void close() {
        jmx.close();
        processor.close();
        filesystems.close();
        ledger.close();
        validator.close();
        LOG.log(System.Logger.Level.INFO, "daxguard stopped");
    }

    /**
     * What an agent needs to start; {@link #defaults()} is the embedded default configuration.
     *
     * @param sysfs                    where sysfs is mounted
     * @param mountinfo                the mount table to read
     * @param mbeanServer              where MBeans go
     * @param pluginLoader             where plugins are looked up
     * @param fileMBeansPerFilesystem  at most this many DamagedFile MBeans per filesystem
     * @param stateDirectory           where the agent keeps what must survive a restart (ledger, scrub positions)
     * @param pluginDirectory          plugins in subdirectories ({@code xfs/*.jar}), each in its own class loader;
     *                                 a directory that does not exist holds none
     * @param pluginSettings           settings for each plugin, by filesystem type
     * @param metrics                  the registry every part counts into (and plugins get)
     */
    public record Settings(Path sysfs, Path mountinfo, MBeanServer mbeanServer, ClassLoader pluginLoader,
                           int fileMBeansPerFilesystem, Path stateDirectory, Path pluginDirectory,
                           Map<String, Map<String, String>> pluginSettings, MetricRegistry metrics) {
        public Settings {
            pluginSettings = Map.copyOf(Objects.requireNonNull(pluginSettings, "pluginSettings is null"));
            Objects.requireNonNull(metrics, "metrics is null");
            Objects.requireNonNull(pluginDirectory, "pluginDirectory is null");
            Objects.requireNonNull(stateDirectory, "stateDirectory is null");
            Objects.requireNonNull(sysfs, "sysfs is null");
            Objects.requireNonNull(mountinfo, "mountinfo is null");
            Objects.requireNonNull(mbeanServer, "mbeanServer is null");
            Objects.requireNonNull(pluginLoader, "pluginLoader is null");
            if (fileMBeansPerFilesystem < 0) {
                throw new IllegalArgumentException("fileMBeansPerFilesystem must not be negative, was "
                        + fileMBeansPerFilesystem);
            }
        }

        public static Settings defaults() {
            return new Settings(Path.of("/sys"), Path.of("/proc/self/mountinfo"),
                    ManagementFactory.getPlatformMBeanServer(), Agent.class.getClassLoader(), 10_000,
                    Path.of("/var/lib/daxguard"), Path.of("/usr/share/daxguard/plugins"), Map.of(), new MetricRegistry());
        }

        public Settings withMBeanServer(MBeanServer server) {
            return new Settings(sysfs, mountinfo, server, pluginLoader, fileMBeansPerFilesystem, stateDirectory,
                    pluginDirectory, pluginSettings, metrics);
        }

        public Settings withStateDirectory(Path directory) {
            return new Settings(sysfs, mountinfo, mbeanServer, pluginLoader, fileMBeansPerFilesystem, directory,
                    pluginDirectory, pluginSettings, metrics);
        }

        public Settings withPluginDirectory(Path directory) {
            return new Settings(sysfs, mountinfo, mbeanServer, pluginLoader, fileMBeansPerFilesystem, stateDirectory,
                    directory, pluginSettings, metrics);
        }

        public Settings withFileMBeansPerFilesystem(int cap) {
            return new Settings(sysfs, mountinfo, mbeanServer, pluginLoader, cap, stateDirectory, pluginDirectory,
                    pluginSettings, metrics);
        }

        public Settings withPluginSettings(Map<String, Map<String, String>> settings) {
            return new Settings(sysfs, mountinfo, mbeanServer, pluginLoader, fileMBeansPerFilesystem, stateDirectory,
                    pluginDirectory, settings, metrics);
        }

        public Settings withMetrics(MetricRegistry registry) {
            return new Settings(sysfs, mountinfo, mbeanServer, pluginLoader, fileMBeansPerFilesystem, stateDirectory,
                    pluginDirectory, pluginSettings, registry);
        }
    }
}
