package io.daxguard.agent.ledger;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How the durable ledger behaves, and where it is.
 *
 * @param keepClosed     closed records kept (the newest); older ones are compacted away
 * @param keepClosedFor  closed records and audit entries older than this are compacted away
 * @param retryInterval  how long to wait before retrying after a write failed (disk full, read-only, server gone)
 * @param maxBatch       at most this many writes per transaction (one fsync each)
 * @param shared         a database shared by a fleet ({@code ledger.url}); empty: SQLite in the state directory
 * @param hostName       the name this host's rows are stamped with; empty: the host name
 */
public record LedgerSettings(int keepClosed, Duration keepClosedFor, Duration retryInterval, int maxBatch,
                             Optional<LedgerDatabase> shared, String hostName) {
    public LedgerSettings {
        Objects.requireNonNull(keepClosedFor, "keepClosedFor is null");
        Objects.requireNonNull(retryInterval, "retryInterval is null");
        Objects.requireNonNull(shared, "shared is null");
        Objects.requireNonNull(hostName, "hostName is null");
        if (keepClosed < 0) {
            throw new IllegalArgumentException("keepClosed must not be negative, was " + keepClosed);
        }
        if (keepClosedFor.isNegative() || retryInterval.isNegative() || retryInterval.isZero()) {
            throw new IllegalArgumentException("keepClosedFor must not be negative and retryInterval must be positive");
        }
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be at least 1, was " + maxBatch);
        }
    }

    public LedgerSettings(int keepClosed, Duration keepClosedFor, Duration retryInterval, int maxBatch) {
        this(keepClosed, keepClosedFor, retryInterval, maxBatch, Optional.empty(), "");
    }

    /** 10,000 closed records for at most a year; retry every 5 s; 4,096 writes per commit; SQLite, this host's name. */
    public static LedgerSettings defaults() {
        return new LedgerSettings(10_000, Duration.ofDays(365), Duration.ofSeconds(5), 4096);
    }

    public LedgerSettings withRetryInterval(Duration interval) {
        return new LedgerSettings(keepClosed, keepClosedFor, interval, maxBatch, shared, hostName);
    }

    public LedgerSettings withKeepClosed(int count) {
        return new LedgerSettings(count, keepClosedFor, retryInterval, maxBatch, shared, hostName);
    }

    /** These settings with the ledger in {@code database} (shared by a fleet) and rows stamped {@code name}. */
    public LedgerSettings withShared(LedgerDatabase database, String name) {
        return new LedgerSettings(keepClosed, keepClosedFor, retryInterval, maxBatch, Optional.of(database), name);
    }

    /** This host's identity: its machine id, and {@link #hostName} or its host name. */
    public HostIdentity host() {
        return HostIdentity.local(hostName);
    }
}
