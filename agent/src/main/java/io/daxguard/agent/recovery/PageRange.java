package io.daxguard.agent.recovery;

import io.daxguard.agent.ledger.DamagedFile;

/**
 * A damaged range of a file rounded out to whole pages: pmem clears poison only when a whole page is
 * written, and O_DIRECT reads need aligned offsets. {@code [start, end)} in file bytes.
 */
record PageRange(long start, long end) {
    static final int PAGE = 4096;
    static final int SECTOR = 512;

    static PageRange of(DamagedFile.Hit hit) {
        long start = Math.floorDiv(hit.owner().fileOffset(), PAGE) * PAGE;
        long end = ceil(hit.owner().fileOffset() + hit.owner().length(), PAGE);
        return new PageRange(start, end);
    }

    static long ceil(long value, long unit) {
        return Math.floorDiv(value + unit - 1, unit) * unit;
    }

    /** The part inside a file of {@code size} bytes, for writing (never grows the file). */
    PageRange clippedForWrite(long size) {
        return new PageRange(Math.min(start, size), Math.min(end, size));
    }

    /** The part inside a file of {@code size} bytes, rounded up to a sector so an O_DIRECT read is aligned. */
    PageRange clippedForDirectRead(long size) {
        long limit = ceil(size, SECTOR);
        return new PageRange(Math.min(start, limit), Math.min(end, limit));
    }

    long length() {
        return end - start;
    }

    boolean isEmpty() {
        return end <= start;
    }

    @Override
    public String toString() {
        return "bytes " + start + "-" + (end - 1);
    }
}
