package io.daxguard.agent.daemon;

import com.codahale.metrics.MetricRegistry;
import io.daxguard.agent.hooks.HooksSettings;
import io.daxguard.agent.ledger.LedgerSettings;
import io.daxguard.agent.recovery.RecoverySettings;
import io.daxguard.agent.source.SourceSettings;
import io.daxguard.agent.validation.RequestLimits;
import io.soabase.recordbuilder.core.RecordBuilder;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.management.MBeanServer;

/**
 * What an agent needs to start; {@link #defaults()} is the embedded default configuration, and each
 * {@code with...} method (generated from the components) gives a copy with one setting changed. Adding a setting is
 * one component here and its default in {@link #defaults()}; {@link SettingsMapping} maps the configuration file
 * onto it.
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
 * @param requestLimits            bytes one resolve (or page of one) and one reportFailure may ask about
 * @param hooks                    programs run for every event announced ({@code notify}); none by default
 */
@RecordBuilder
public record AgentSettings(Path sysfs, Path mountinfo, MBeanServer mbeanServer, ClassLoader pluginLoader,
                            int fileMBeansPerFilesystem, Path stateDirectory, LedgerSettings ledger,
                            RecoverySettings recovery, Path pluginDirectory,
                            Map<String, Map<String, String>> pluginSettings, MetricRegistry metrics,
                            SourceSettings sources, List<Path> watchedMountPoints, RequestLimits requestLimits,
                            HooksSettings hooks)
        implements AgentSettingsBuilder.With {
    public AgentSettings {
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
        Objects.requireNonNull(sources, "sources is null");
        watchedMountPoints = List.copyOf(Objects.requireNonNull(watchedMountPoints, "watchedMountPoints is null"));
        Objects.requireNonNull(requestLimits, "requestLimits is null");
        Objects.requireNonNull(hooks, "hooks is null");
        if (fileMBeansPerFilesystem < 0) {
            throw new IllegalArgumentException("fileMBeansPerFilesystem must not be negative, was "
                    + fileMBeansPerFilesystem);
        }
    }

    public static AgentSettings defaults() {
        return new AgentSettings(Path.of("/sys"), Path.of("/proc/self/mountinfo"),
                ManagementFactory.getPlatformMBeanServer(), AgentSettings.class.getClassLoader(), 10_000,
                Path.of("/var/lib/daxguard"), LedgerSettings.defaults(), RecoverySettings.defaults(),
                Path.of("/usr/share/daxguard/plugins"), Map.of(), new MetricRegistry(), SourceSettings.defaults(),
                List.of(), RequestLimits.defaults(), HooksSettings.defaults());
    }
}
