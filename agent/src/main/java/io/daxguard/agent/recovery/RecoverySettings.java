package io.daxguard.agent.recovery;

import io.daxguard.spi.ReplicaProvider;
import java.nio.file.Path;
import java.time.Duration;
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
 */
public record RecoverySettings(Optional<ReplicaProvider> replicaProvider, Path proc, Path sysfs,
                               Duration identityCheckInterval) {
    public RecoverySettings {
        Objects.requireNonNull(replicaProvider, "replicaProvider is null");
        Objects.requireNonNull(proc, "proc is null");
        Objects.requireNonNull(sysfs, "sysfs is null");
        Objects.requireNonNull(identityCheckInterval, "identityCheckInterval is null");
        if (identityCheckInterval.isNegative() || identityCheckInterval.isZero()) {
            throw new IllegalArgumentException("identityCheckInterval must be positive, was " + identityCheckInterval);
        }
    }

    /** No replica provider; /proc and /sys; files checked every 10 minutes. */
    public static RecoverySettings defaults() {
        return new RecoverySettings(Optional.empty(), Path.of("/proc"), Path.of("/sys"), Duration.ofMinutes(10));
    }

    public RecoverySettings withReplicaProvider(ReplicaProvider provider) {
        return new RecoverySettings(Optional.of(provider), proc, sysfs, identityCheckInterval);
    }
}
