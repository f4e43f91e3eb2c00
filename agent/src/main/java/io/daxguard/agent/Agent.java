package io.daxguard.agent;

import io.daxguard.agent.ingest.FailureSources;
import io.daxguard.agent.ingest.InputValidator;
import io.daxguard.agent.ingest.SourceSettings;
import io.daxguard.agent.jmx.JmxSurface;
import io.daxguard.agent.ledger.DamageLedger;
import io.daxguard.agent.ledger.InMemoryDamageLedger;
import io.daxguard.agent.plugins.Filesystems;
import io.daxguard.agent.plugins.PluginHost;
import io.daxguard.agent.route.FailureProcessor;
import io.daxguard.agent.scrub.Scrubber;
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
 * <p>Threads it owns (through its parts): the router thread of {@link FailureProcessor}, the notifier
 * thread of {@link JmxSurface}, the ingest, kmsg and badblocks threads of {@link FailureSources} and the scrub
 * threads of {@link Scrubber}. {@link #close} stops them (sources and scrubs first) and closes every holder.
 */
public final class Agent implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Agent.class.getName());

    private final InputValidator validator;
    private final DamageLedger ledger;
    private final Filesystems filesystems;
    private final FailureProcessor processor;
    private final JmxSurface jmx;
    private final FailureSources sources;
    private final Scrubber scrubber;

    private Agent(Settings settings) throws IOException, JMException {
        validator = new InputValidator();
        ledger = new InMemoryDamageLedger();
        PluginHost plugins = PluginHost.load(settings.pluginLoader());
        filesystems = new Filesystems(plugins);
        processor = new FailureProcessor(new TopologyReader(settings.sysfs(), settings.mountinfo()), filesystems, ledger);
        jmx = new JmxSurface(settings.mbeanServer(), version(), plugins, processor, ledger, validator,
                Clock.systemUTC(), settings.fileMBeansPerFilesystem());
        sources = new FailureSources(settings.sources(), settings.sysfs(), processor, Clock.systemUTC(),
                jmx::badRangesCleared);
        scrubber = new Scrubber(processor, sources.queue(), settings.stateDirectory(), settings.sources().devices(),
                settings.sources().scrubRateLimit(), Clock.systemUTC(), jmx::scrubFinished);
        jmx.useScrubber(scrubber);
        jmx.start();
        sources.start();
        scrubber.resumeSaved();
        scrubber.scheduleEvery(settings.sources().scrubEvery());
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
     * @param sources                  kmsg, badblocks, ingest queue and scrub settings
     */
    public record Settings(Path sysfs, Path mountinfo, MBeanServer mbeanServer, ClassLoader pluginLoader,
                           int fileMBeansPerFilesystem, Path stateDirectory, SourceSettings sources) {
        public Settings {
            Objects.requireNonNull(sources, "sources is null");
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
                    Path.of("/var/lib/daxguard"), SourceSettings.defaults());
        }

        public Settings withSources(SourceSettings settings) {
            return new Settings(sysfs, mountinfo, mbeanServer, pluginLoader, fileMBeansPerFilesystem, stateDirectory,
                    settings);
        }

        public Settings withSysfs(Path root) {
            return new Settings(root, mountinfo, mbeanServer, pluginLoader, fileMBeansPerFilesystem, stateDirectory,
                    sources);
        }

        public Settings withMBeanServer(MBeanServer server) {
            return new Settings(sysfs, mountinfo, server, pluginLoader, fileMBeansPerFilesystem, stateDirectory, sources);
        }

        public Settings withStateDirectory(Path directory) {
            return new Settings(sysfs, mountinfo, mbeanServer, pluginLoader, fileMBeansPerFilesystem, directory, sources);
        }
    }
}
