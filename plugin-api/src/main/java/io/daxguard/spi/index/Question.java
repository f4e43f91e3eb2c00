package io.daxguard.spi.index;

/**
 * One question to a {@link LiveReverseMap}, shared by all its parts (every range of a batch, every piece of one
 * range): when it was asked, so the index is rebuilt at most once for it, and how many changes the filesystem
 * had seen then, so facts confirmed live since the last change are used rather than confirmed again. Made by
 * {@link LiveReverseMap#question()}; immutable.
 */
public final class Question {
    private final long askedNanos;
    private final long changeCount;

    Question(long askedNanos, long changeCount) {
        this.askedNanos = askedNanos;
        this.changeCount = changeCount;
    }

    /** {@link System#nanoTime()} when asked. */
    public long askedNanos() {
        return askedNanos;
    }

    long changeCount() {
        return changeCount;
    }
}
