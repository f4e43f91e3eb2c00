package io.daxguard.agent.source.scrub;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Limits the bytes read from a device to {@code bytesPerSecond}, with at most one second of burst; 0 means no
 * limit. {@link #acquire} sleeps to throttle (never to synchronise). Thread safe: callers are served one at a
 * time, each waiting for its own bytes while holding the bucket, so however many threads read, the bytes granted
 * up to any moment never exceed one second's burst plus the rate times the time since the bucket was made
 * ({@link #granted} is the accounting). The scrub acquires every device read before it is handed to a reader.
 */
final class TokenBucket {
    /** How the bucket waits; a test passes one that advances its own clock instead of sleeping. */
    interface Sleeper {
        void sleepNanos(long nanos) throws InterruptedException;
    }

    private static final Sleeper REAL = nanos -> TimeUnit.NANOSECONDS.sleep(nanos);

    private final long bytesPerSecond;
    private final LongSupplier nanoTime;
    private final Sleeper sleeper;
    private double tokens;
    private long last;
    private long granted;

    TokenBucket(long bytesPerSecond) {
        this(bytesPerSecond, System::nanoTime, REAL);
    }

    TokenBucket(long bytesPerSecond, LongSupplier nanoTime, Sleeper sleeper) {
        if (bytesPerSecond < 0) {
            throw new IllegalArgumentException("bytesPerSecond must not be negative, was " + bytesPerSecond);
        }
        this.bytesPerSecond = bytesPerSecond;
        this.nanoTime = nanoTime;
        this.sleeper = sleeper;
        this.tokens = bytesPerSecond;
        this.last = nanoTime.getAsLong();
    }

    boolean isLimited() {
        return bytesPerSecond > 0;
    }

    long bytesPerSecond() {
        return bytesPerSecond;
    }

    /** Waits until {@code bytes} may be read; they count as granted when this returns. */
    synchronized void acquire(long bytes) throws InterruptedException {
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes must not be negative, was " + bytes);
        }
        if (bytesPerSecond > 0) {
            refill();
            tokens -= bytes;
            // Loops because a sleep may end early (a test sleeper, a coarse clock): never grant on credit.
            while (tokens < 0) {
                sleeper.sleepNanos(Math.max(1, (long) Math.ceil(-tokens * 1e9 / bytesPerSecond)));
                refill();
            }
        }
        granted += bytes;
    }

    /** Every byte {@link #acquire} has granted since the bucket was made. */
    synchronized long granted() {
        return granted;
    }

    private void refill() {
        long now = nanoTime.getAsLong();
        tokens = Math.min(bytesPerSecond, tokens + (now - last) * (double) bytesPerSecond / 1e9);
        last = now;
    }
}
