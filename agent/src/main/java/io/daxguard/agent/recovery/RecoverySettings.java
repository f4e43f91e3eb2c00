package io.daxguard.agent.recovery;

import io.daxguard.spi.LinuxPath;
import io.daxguard.spi.ReplicaProvider;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How damaged files are recovered.
 *
 * @param replicaProvider where {@code restoreFromReplica()} gets good copies, if anywhere
 * @param proc            where procfs is mounted (the maps of mapping processes)
 * @param sysfs           where sysfs is mounted (the logical block size and DMA alignment of a damaged file's
 *                        device, which its O_DIRECT re-reads and its rewritten ranges are aligned to)
 * @param identityCheckInterval how often files with open damage are checked to still exist (FILE_GONE if not)
 * @param replicaRoots    the only directories replicas are read from (absolute; {@code restoreFrom} and the
 *                        replica provider's answers alike); none: no replica can be read
 * @param policies        what is done by itself about new damage, per filesystem; none: every repair is manual
 */
public record RecoverySettings(Optional<ReplicaProvider> replicaProvider, Path proc, Path sysfs,
                               Duration identityCheckInterval, List<LinuxPath> replicaRoots,
                               RecoveryPolicies policies) {
    /** Without recovery policies: every repair is manual. */
    public RecoverySettings(Optional<ReplicaProvider> replicaProvider, Path proc, Path sysfs,
                            Duration identityCheckInterval, List<LinuxPath> replicaRoots) {
        this(replicaProvider, proc, sysfs, identityCheckInterval, replicaRoots, RecoveryPolicies.none());
    }

    public RecoverySettings {
        Objects.requireNonNull(policies, "policies is null");
        Objects.requireNonNull(replicaProvider, "replicaProvider is null");
        Objects.requireNonNull(proc, "proc is null");
        Objects.requireNonNull(sysfs, "sysfs is null");
        Objects.requireNonNull(identityCheckInterval, "identityCheckInterval is null");
        if (identityCheckInterval.isNegative() || identityCheckInterval.isZero()) {
            throw new IllegalArgumentException("identityCheckInterval must be positive, was " + identityCheckInterval);
        }
        replicaRoots = List.copyOf(replicaRoots);
        for (LinuxPath root : replicaRoots) {
            if (!root.isAbsolute()) {
                throw new IllegalArgumentException("replica roots must be absolute, was " + root);
            }
        }
    }

    /** No replica provider and no replica roots; /proc and /sys; files checked every 10 minutes. */
    public static RecoverySettings defaults() {
        return new RecoverySettings(Optional.empty(), Path.of("/proc"), Path.of("/sys"), Duration.ofMinutes(10),
                List.of());
    }

    public RecoverySettings withReplicaProvider(ReplicaProvider provider) {
        return new RecoverySettings(Optional.of(provider), proc, sysfs, identityCheckInterval, replicaRoots, policies);
    }

    /** These directories (absolute, made from configuration text) as the replica roots. */
    public RecoverySettings withReplicaRoots(List<Path> roots) {
        return new RecoverySettings(replicaProvider, proc, sysfs, identityCheckInterval,
                roots.stream().map(Path::normalize).map(LinuxPath::of).toList(), policies);
    }

    /** These recovery policies. */
    public RecoverySettings withPolicies(RecoveryPolicies recoveryPolicies) {
        return new RecoverySettings(replicaProvider, proc, sysfs, identityCheckInterval, replicaRoots,
                recoveryPolicies);
    }
}
