package io.daxguard.agent.recovery;

import io.daxguard.spi.ReplicaProvider;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * How damaged files are recovered.
 *
 * @param replicaProvider where {@code restoreFromReplica()} gets good copies, if anywhere
 * @param proc            where procfs is mounted (the maps of mapping processes)
 */
public record RecoverySettings(Optional<ReplicaProvider> replicaProvider, Path proc) {
    public RecoverySettings {
        Objects.requireNonNull(replicaProvider, "replicaProvider is null");
        Objects.requireNonNull(proc, "proc is null");
    }

    /** No replica provider; /proc. */
    public static RecoverySettings defaults() {
        return new RecoverySettings(Optional.empty(), Path.of("/proc"));
    }

    public RecoverySettings withReplicaProvider(ReplicaProvider provider) {
        return new RecoverySettings(Optional.of(provider), proc);
    }
}
