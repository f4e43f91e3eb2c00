package io.daxguard.support.index;

/**
 * A half-open span {@code [start, end)} of filesystem bytes, as plugins and the index hand ranges to each other
 * (allocated ranges for the {@link LiveReverseMap} to name, inode tables, bytes no file explains). Unlike
 * {@link io.daxguard.spi.FailureRange} it carries no error, and it is never empty.
 *
 * @param start first byte of the span
 * @param end   one past the last byte, greater than {@code start}
 */
public record ByteSpan(long start, long end) {
    public ByteSpan {
        if (start < 0) {
            throw new IllegalArgumentException("start must not be negative, was " + start);
        }
        if (end <= start) {
            throw new IllegalArgumentException("span must be non-empty, was [" + start + ", " + end + ")");
        }
    }

    /** Number of bytes in the span, at least one. */
    public long length() {
        return end - start;
    }
}
