package io.daxguard.agent.ledger;

import java.time.Duration;
import java.util.Objects;

/**
 * How the durable ledger behaves.
 *
 * @param keepClosed     closed records kept (the newest); older ones are compacted away
 * @param keepClosedFor  closed records and audit entries older than this are compacted away
 * @param retryInterval  how long to wait before retrying after a write failed (disk full, read-only)
 * @param maxBatch       at most this many writes per transaction (one fsync each)
 */
public record LedgerSettings(int keepClosed, Duration keepClosedFor, Duration retryInterval, int maxBatch) {
    public LedgerSettings {
        Objects.requireNonNull(keepClosedFor, "keepClosedFor is null");
        Objects.requireNonNull(retryInterval, "retryInterval is null");
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

    /** 10,000 closed records for at most a year; retry every 5 s; 4,096 writes per commit. */
    public static LedgerSettings defaults() {
        return new LedgerSettings(10_000, Duration.ofDays(365), Duration.ofSeconds(5), 4096);
    }

    public LedgerSettings withRetryInterval(Duration interval) {
        return new LedgerSettings(keepClosed, keepClosedFor, interval, maxBatch);
    }

    public LedgerSettings withKeepClosed(int count) {
        return new LedgerSettings(count, keepClosedFor, retryInterval, maxBatch);
    }
}
