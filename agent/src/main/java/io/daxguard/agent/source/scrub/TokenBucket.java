package io.daxguard.agent.source.scrub;

/**
 * Limits a reader to {@code bytesPerSecond} with at most one second of burst. {@link #acquire} sleeps to
 * throttle (never to synchronise); 0 means no limit. Used by one thread.
 */
final class TokenBucket {
    private final long bytesPerSecond;
    private double tokens;
    private long last = System.nanoTime();

    TokenBucket(long bytesPerSecond) {
        if (bytesPerSecond < 0) {
            throw new IllegalArgumentException("bytesPerSecond must not be negative, was " + bytesPerSecond);
        }
        this.bytesPerSecond = bytesPerSecond;
        this.tokens = bytesPerSecond;
    }

    boolean isLimited() {
        return bytesPerSecond > 0;
    }

    /** Waits until {@code bytes} may be read. */
    void acquire(long bytes) throws InterruptedException {
        if (bytesPerSecond == 0) {
            return;
        }
        refill();
        tokens -= bytes;
        if (tokens < 0) {
            long nanos = (long) (-tokens * 1e9 / bytesPerSecond);
            Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
            refill();
        }
    }

    private void refill() {
        long now = System.nanoTime();
        tokens = Math.min(bytesPerSecond, tokens + (now - last) * (double) bytesPerSecond / 1e9);
        last = now;
    }
}
