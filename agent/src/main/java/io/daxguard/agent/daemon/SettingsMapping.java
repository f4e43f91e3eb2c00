package io.daxguard.agent.daemon;

import io.daxguard.agent.config.DaxguardConfig;
import io.daxguard.agent.config.DaxguardHome;
import io.daxguard.agent.config.HookConfig;
import io.daxguard.agent.config.LedgerConfig;
import io.daxguard.agent.ledger.LedgerDatabase;
import io.daxguard.agent.ledger.LedgerSettings;
import io.daxguard.agent.config.NotifyConfig;
import io.daxguard.agent.hooks.HookSettings;
import io.daxguard.agent.hooks.HooksSettings;
import io.daxguard.agent.config.RecoveryConfig;
import io.daxguard.agent.config.ReplicaConfig;

import io.daxguard.agent.source.SourceSettings;
import io.daxguard.agent.recovery.RecoveryPolicies;
import io.daxguard.agent.recovery.RecoveryPolicy;
import io.daxguard.agent.recovery.RecoverySettings;
import io.daxguard.spi.LinuxPath;
import java.util.Optional;
import io.daxguard.agent.validation.RequestLimits;
import io.daxguard.spi.ReplicaProvider;
import java.time.Duration;
import java.nio.file.Path;
import java.util.Objects;
import javax.management.MBeanServer;

/**
 * The one place where the configuration file becomes the agent's internal {@link AgentSettings}. A new
 * setting gets a record component in its section and a line here.
 */
public final class SettingsMapping {

    private SettingsMapping() {
    }

    /** SQLite in the state directory, or the shared database of {@code ledger.url}; rows stamped with this host. */
    static LedgerSettings ledger(LedgerConfig ledger) {
        LedgerSettings defaults = LedgerSettings.defaults();
        if (!ledger.shared()) {
            return new LedgerSettings(defaults.keepClosed(), defaults.keepClosedFor(), defaults.retryInterval(),
                    defaults.maxBatch(), java.util.Optional.empty(), ledger.hostName());
        }
        return defaults.withShared(new LedgerDatabase.Postgres(ledger.url(), ledger.user(), ledger.password()),
                ledger.hostName());
    }

    /**
     * @param config  a validated configuration
     * @param home    the daxguard home, against which relative paths are resolved
     * @param server  where MBeans go (the platform MBean server when {@code jmx.local} is on)
     */
    public static AgentSettings toSettings(DaxguardConfig config, Path home, MBeanServer server) {
        Objects.requireNonNull(config, "config is null");
        Objects.requireNonNull(home, "home is null");
        Objects.requireNonNull(server, "server is null");
        return AgentSettings.defaults()
                .withMbeanServer(server)
                .withStateDirectory(DaxguardHome.resolve(home, config.stateDirectory()))
                .withPluginDirectory(DaxguardHome.resolve(home, config.plugins().directory()))
                .withFileMBeansPerFilesystem(config.mbeans().filesPerFilesystem())
                .withRequestLimits(new RequestLimits(config.mbeans().resolveBytes(), config.mbeans().reportBytes(),
                        config.mbeans().batchItems()))
                .withPluginSettings(config.plugins().settings())
                .withSources(SourceSettings.defaults()
                        .withTraceEnabled(config.sources().trace())
                        .withKmsgEnabled(config.sources().kmsg())
                        .withBadblocksEnabled(config.sources().badblocks())
                        .withQueueCapacity(config.sources().queueCapacity())
                        .withScrubRateLimit(config.scrub().bytesPerSecond())
                        .withScrubEvery(config.scrub().enabled() ? Duration.ofHours(config.scrub().intervalHours())
                                : Duration.ZERO))
                .withRecovery(recovery(config.replica()).withPolicies(policies(config.recovery())))
                .withLedger(ledger(config.ledger()))
                .withWatchedMountPoints(config.watch().stream().map(directory -> DaxguardHome.resolve(home, directory)).toList())
                .withHooks(hooks(config.notifications()));
    }

    /** Each {@code notify.exec} entry, named by its place in the list, so a refusal names the field. */
    private static HooksSettings hooks(NotifyConfig notify) {
        java.util.List<HookSettings> hooks = new java.util.ArrayList<>();
        for (int i = 0; i < notify.exec().size(); i++) {
            HookConfig hook = notify.exec().get(i);
            hooks.add(new HookSettings("notify.exec[" + i + "]", Path.of(hook.program()),
                    java.util.Set.copyOf(hook.events()), Duration.ofSeconds(hook.timeoutSeconds())));
        }
        return new HooksSettings(hooks, notify.maxConcurrent(), notify.queueCapacity());
    }

    /** The recovery policies of the configuration (validated there: each step, mode and signal is known). */
    private static RecoveryPolicies policies(RecoveryConfig recovery) {
        return new RecoveryPolicies(recovery.policies().stream().map(policy -> new RecoveryPolicy(policy.name(),
                Optional.ofNullable(policy.watch()).map(watch -> LinuxPath.of(Path.of(watch).normalize())),
                Optional.ofNullable(policy.uuid()),
                policy.onFileDamage().stream().map(RecoveryPolicy.FileStep::of).toList(), policy.signal(),
                RecoveryPolicy.Mode.of(policy.mode()), policy.disposable(),
                policy.onMetadataDamage().stream().map(RecoveryPolicy.MetadataStep::of).toList(),
                policy.onFreeDamage().stream().map(RecoveryPolicy.FreeStep::of).toList())).toList());
    }

    /**
     * The replica roots, and the replica provider a vendor names by class (on the agent's class path), with a public
     * no-arg constructor.
     */
    private static RecoverySettings recovery(ReplicaConfig replica) {
        RecoverySettings rooted = RecoverySettings.defaults()
                .withReplicaRoots(replica.roots().stream().map(Path::of).toList());
        if (replica.provider().isEmpty()) {
            return rooted;
        }
        try {
            Object provider = Class.forName(replica.provider()).getConstructor().newInstance();
            if (!(provider instanceof ReplicaProvider replicas)) {
                throw new IllegalArgumentException("replica.provider: " + replica.provider() + " does not implement "
                        + ReplicaProvider.class.getName());
            }
            return rooted.withReplicaProvider(replicas);
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IllegalArgumentException("replica.provider: cannot create " + replica.provider() + " (" + e + ")",
                    e);
        }
    }
}
