package io.daxguard.agent;

import io.daxguard.agent.ingest.InputValidator;
import io.daxguard.agent.jmx.JmxSurface;
import io.daxguard.agent.ledger.DamageLedger;
import io.daxguard.agent.ledger.InMemoryDamageLedger;
import io.daxguard.agent.plugins.Filesystems;
import io.daxguard.agent.plugins.PluginHost;
import io.daxguard.agent.route.FailureProcessor;
import io.daxguard.agent.topology.TopologyReader;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
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
        ledger = new InMemoryDamageLedger();
        PluginHost plugins = PluginHost.load(settings.pluginLoader(), settings.pluginDirectory());
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
     */
    public record Settings(Path sysfs, Path mountinfo, MBeanServer mbeanServer, ClassLoader pluginLoader,
                           int fileMBeansPerFilesystem, Path stateDirectory, Path pluginDirectory) {
        public Settings {
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
                    Path.of("/var/lib/daxguard"), Path.of("/usr/share/daxguard/plugins"));
        }

        public Settings withMBeanServer(MBeanServer server) {
            return new Settings(sysfs, mountinfo, server, pluginLoader, fileMBeansPerFilesystem, stateDirectory,
                    pluginDirectory);
        }

        public Settings withStateDirectory(Path directory) {
            return new Settings(sysfs, mountinfo, mbeanServer, pluginLoader, fileMBeansPerFilesystem, directory,
                    pluginDirectory);
        }

        public Settings withPluginDirectory(Path directory) {
            return new Settings(sysfs, mountinfo, mbeanServer, pluginLoader, fileMBeansPerFilesystem, stateDirectory,
                    directory);
        }

        public Settings withFileMBeansPerFilesystem(int cap) {
            return new Settings(sysfs, mountinfo, mbeanServer, pluginLoader, cap, stateDirectory, pluginDirectory);
        }
    }
}
