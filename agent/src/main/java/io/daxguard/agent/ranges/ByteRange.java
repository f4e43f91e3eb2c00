package io.daxguard.agent.ranges;

/**
 * A run of bytes on a device, {@code [offset, offset + length)}.
 *
 * @param offset first byte
 * @param length bytes, at least one
 */
public record ByteRange(long offset, long length) implements Comparable<ByteRange> {
    /** The unit sysfs badblocks, kmsg and operators count in. */
    public static final long SECTOR = 512;

    public ByteRange {
        if (offset < 0 || length <= 0 || offset + length < 0) {
            throw new IllegalArgumentException("bad byte range: offset " + offset + " length " + length);
        }
    }

    /** The 512-byte sectors {@code [sector, sector + count)}, as sysfs and kmsg speak. */
    public static ByteRange ofSectors(long sector, long count) {
        return new ByteRange(Math.multiplyExact(sector, SECTOR), Math.multiplyExact(count, SECTOR));
    }

    public long end() {
        return offset + length;
    }

    @Override
    public int compareTo(ByteRange other) {
        int byOffset = Long.compare(offset, other.offset);
        return byOffset != 0 ? byOffset : Long.compare(length, other.length);
    }

    @Override
    public String toString() {
        return offset + "+" + length;
    }
}
