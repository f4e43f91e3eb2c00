package io.daxguard.support.index;

/**
 * One question to a {@link LiveReverseMap}, shared by all its parts (every range of a batch, every piece of one
 * range): when it was asked, so the index is rebuilt at most once for it, and how many changes the filesystem
 * had seen then, so facts confirmed live since the last change are used rather than confirmed again. Made by
 * {@link LiveReverseMap#question()}; immutable.
 */
public final class Question {
    private final long askedNanos;
    private final long changeCount;
    private final long fileChangeCount;

    /**
     * @param changeCount     every change counted (files and the mount table), for remembered facts; -1 unknown
     * @param fileChangeCount the filesystem's own changes only, for whether the index is current; -1 unknown
     */
    Question(long askedNanos, long changeCount, long fileChangeCount) {
        this.askedNanos = askedNanos;
        this.changeCount = changeCount;
        this.fileChangeCount = fileChangeCount;
    }

    /** {@link System#nanoTime()} when asked. */
    public long askedNanos() {
        return askedNanos;
    }

    long changeCount() {
        return changeCount;
    }

    long fileChangeCount() {
        return fileChangeCount;
    }
}
