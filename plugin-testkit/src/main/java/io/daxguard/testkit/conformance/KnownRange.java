package io.daxguard.testkit.conformance;

import java.util.Objects;

/**
 * A byte range of the filesystem (relative to the start of its device) whose owner is known from the kernel or
 * from the filesystem's own tools, never from the plugin under test.
 *
 * @param offset first byte
 * @param length bytes, at least one
 * @param source how it is known, for failure messages, for example {@code "xfs_io fsmap: special_88:2"}
 */
public record KnownRange(long offset, long length, String source) {
    public KnownRange {
        Objects.requireNonNull(source, "source is null");
        if (offset < 0 || length <= 0 || offset + length < 0) {
            throw new IllegalArgumentException("range must be non-empty and non-negative, was " + offset + "+" + length);
        }
    }

    /** One past the last byte. */
    public long end() {
        return offset + length;
    }

    /** Whether the range shares a byte with {@code [from, to)}. */
    public boolean overlaps(long from, long to) {
        return offset < to && from < end();
    }

    /**
     * The bytes two sources both name, for example free by the on-disk bitmap ({@code dumpe2fs}) and free by the
     * kernel's in-memory view ({@code GETFSMAP}, which counts blocks reserved by preallocation as in use).
     */
    public static java.util.List<KnownRange> intersection(java.util.List<KnownRange> first,
                                                          java.util.List<KnownRange> second) {
        java.util.List<KnownRange> both = new java.util.ArrayList<>();
        for (KnownRange a : first) {
            for (KnownRange b : second) {
                long from = Math.max(a.offset(), b.offset());
                long to = Math.min(a.end(), b.end());
                if (from < to) {
                    both.add(new KnownRange(from, to - from, a.source() + " and " + b.source()));
                }
            }
        }
        return both;
    }

    @Override
    public String toString() {
        return "[" + offset + ", " + end() + ") (" + source + ")";
    }
}
