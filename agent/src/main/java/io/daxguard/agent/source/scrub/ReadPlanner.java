package io.daxguard.agent.source.scrub;

import io.daxguard.agent.ranges.ByteRange;
import io.daxguard.agent.topology.DirectIoAlignment;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Turns written extents, visited in physical order, into large device reads ({@link ScrubRead}): each extent is
 * widened to whole logical blocks (metadata of a filesystem made for 512-byte sectors can sit inside one
 * 4096-byte block), extents that touch or are at most {@code maxGap} apart join one read (the gap is read
 * through: one large read costs less than several small ones, as long as the gaps are small), and a read is cut
 * at {@code maxRead} bytes. What the reads cover in all is at most the device, so a scrub never reads more than
 * {@code dd} of the whole device would.
 *
 * <p>Not thread safe: the scrub thread plans.
 */
final class ReadPlanner {
    /** Where the planned reads go, in device order. */
    interface Reads {
        void read(ScrubRead read) throws IOException;
    }

    private final DirectIoAlignment alignment;
    private final long deviceEnd;
    private final int maxRead;
    private final long maxGap;
    private final Reads out;
    private final List<ByteRange> parts = new ArrayList<>();

    /**
     * @param deviceSize bytes of the device; a tail shorter than a logical block is never read (no
     *                   {@code O_DIRECT} read reaches it, and the kernel never uses one either)
     * @param maxRead    the largest read, a positive multiple of the logical block size
     * @param maxGap     the widest free gap read through; 0 joins only touching extents
     */
    ReadPlanner(DirectIoAlignment alignment, long deviceSize, int maxRead, long maxGap, Reads out) {
        this.alignment = Objects.requireNonNull(alignment, "alignment is null");
        if (maxRead <= 0 || !alignment.isAligned(maxRead)) {
            throw new IllegalArgumentException("maxRead must be a positive multiple of the logical block size "
                    + alignment.logicalBlockSize() + ", was " + maxRead);
        }
        if (maxGap < 0 || deviceSize < 0) {
            throw new IllegalArgumentException("maxGap and deviceSize must not be negative: " + maxGap + ", " + deviceSize);
        }
        this.deviceEnd = alignment.floor(deviceSize);
        this.maxRead = maxRead;
        this.maxGap = maxGap;
        this.out = Objects.requireNonNull(out, "out is null");
    }

    /** The next written extent; not before the previous one. */
    void extent(long offset, long length) throws IOException {
        long from = alignment.floor(offset);
        long to = Math.min(deviceEnd, alignment.ceil(offset + length));
        if (to <= from) {
            return;
        }
        if (!parts.isEmpty()) {
            ByteRange last = parts.get(parts.size() - 1);
            if (from < last.offset()) {
                throw new IllegalArgumentException("extents must come in physical order: " + offset + " after " + last);
            }
            if (from <= last.end()) {
                parts.set(parts.size() - 1, new ByteRange(last.offset(), Math.max(last.end(), to) - last.offset()));
            } else if (from - last.end() <= maxGap) {
                parts.add(new ByteRange(from, to - from));
            } else {
                flush();
                parts.add(new ByteRange(from, to - from));
            }
        } else {
            parts.add(new ByteRange(from, to - from));
        }
        while (!parts.isEmpty() && end() - start() >= maxRead) {
            cut(start() + maxRead);
        }
    }

    /** Plans what is gathered; call after the last extent. */
    void flush() throws IOException {
        if (!parts.isEmpty()) {
            cut(end());
        }
    }

    private long start() {
        return parts.get(0).offset();
    }

    private long end() {
        return parts.get(parts.size() - 1).end();
    }

    /** Emits the read {@code [start, at)} and keeps the written parts after {@code at}. */
    private void cut(long at) throws IOException {
        long start = start();
        List<ByteRange> inside = new ArrayList<>();
        List<ByteRange> after = new ArrayList<>();
        for (ByteRange part : parts) {
            if (part.end() <= at) {
                inside.add(part);
            } else if (part.offset() >= at) {
                after.add(part);
            } else {
                inside.add(new ByteRange(part.offset(), at - part.offset()));
                after.add(new ByteRange(at, part.end() - at));
            }
        }
        // A cut inside a gap: the read ends where its last written part ends, not in the gap.
        long end = inside.get(inside.size() - 1).end();
        parts.clear();
        parts.addAll(after);
        out.read(new ScrubRead(start, (int) (end - start), inside));
    }
}
