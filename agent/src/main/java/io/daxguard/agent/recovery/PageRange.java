package io.daxguard.agent.recovery;

import io.daxguard.agent.ledger.DamagedFile;
import io.daxguard.agent.topology.DirectIoAlignment;

/**
 * A damaged range of a file rounded out to whole pages and whole logical blocks of its device: pmem clears
 * poison only when a whole page is written, a device reads, fails and is rewritten only in whole logical blocks
 * (a partial one would be read back first, and fail), and O_DIRECT reads need offsets and lengths aligned to
 * them. {@code [start, end)} in file bytes.
 */
record PageRange(long start, long end) {
    static final int PAGE = 4096;

    /**
     * The whole pages and logical blocks holding {@code hit}. A filesystem's blocks are whole logical blocks of
     * its device, so rounding file offsets rounds device offsets alike.
     */
    static PageRange of(DamagedFile.Hit hit, DirectIoAlignment alignment) {
        long unit = unit(alignment);
        long start = Math.floorDiv(hit.owner().fileOffset(), unit) * unit;
        long end = ceil(hit.owner().fileOffset() + hit.owner().length(), unit);
        return new PageRange(start, end);
    }

    /** What ranges are rounded to: a page, or a logical block when that is larger (16 KiB, 64 KiB). */
    static long unit(DirectIoAlignment alignment) {
        return Math.max(PAGE, alignment.logicalBlockSize());
    }

    static long ceil(long value, long unit) {
        return Math.floorDiv(value + unit - 1, unit) * unit;
    }

    /** The part inside a file of {@code size} bytes, for writing (never grows the file). */
    PageRange clippedForWrite(long size) {
        return new PageRange(Math.min(start, size), Math.min(end, size));
    }

    /**
     * The part inside a file of {@code size} bytes, its end rounded up to a logical block so an O_DIRECT read is
     * aligned (the read then stops short at the end of the file).
     */
    PageRange clippedForDirectRead(long size, DirectIoAlignment alignment) {
        long limit = alignment.ceil(size);
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
