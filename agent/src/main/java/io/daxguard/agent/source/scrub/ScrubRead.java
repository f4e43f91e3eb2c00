package io.daxguard.agent.source.scrub;

import io.daxguard.agent.ranges.ByteRange;
import java.util.List;
import java.util.Objects;

/**
 * One {@code O_DIRECT} read of a scrub: {@code [offset, offset + length)} of the device, whole logical blocks,
 * covering one or more written parts (the filesystem's written extents, widened to whole logical blocks, in
 * order, disjoint) and the small free gaps between them, which are read through only so that many small
 * extents become one large read; what a gap holds is never reported.
 *
 * @param offset  first device byte read
 * @param length  bytes read
 * @param written the written parts inside, the only bytes a failure may be reported for
 */
record ScrubRead(long offset, int length, List<ByteRange> written) {
    ScrubRead {
        written = List.copyOf(Objects.requireNonNull(written, "written is null"));
        if (offset < 0 || length <= 0 || written.isEmpty()) {
            throw new IllegalArgumentException("a scrub read needs a length and written parts: offset " + offset
                    + ", length " + length + ", written " + written);
        }
        if (written.get(0).offset() != offset || written.get(written.size() - 1).end() != offset + length) {
            throw new IllegalArgumentException("a scrub read starts and ends with written bytes: offset " + offset
                    + ", length " + length + ", written " + written);
        }
    }

    long end() {
        return offset + length;
    }

    /** The written bytes the read verifies (the rest of {@link #length} is free gap). */
    long writtenBytes() {
        long sum = 0;
        for (ByteRange part : written) {
            sum += part.length();
        }
        return sum;
    }
}
