package io.daxguard.support.index;

import io.daxguard.spi.Fork;

/**
 * The per-extent flag bits an {@link ExtentIndex} stores in one byte.
 */
public final class ExtentFlags {
    /** Other files share the blocks (FIEMAP_EXTENT_SHARED). */
    public static final int SHARED = 1;
    /** Preallocated, reads return zeros (FIEMAP_EXTENT_UNWRITTEN). */
    public static final int UNWRITTEN = 1 << 1;
    /** Stored inside the inode, not in blocks of its own; physical and length are byte exact (DATA_INLINE). */
    public static final int INLINE = 1 << 2;
    /** Extended attributes rather than data (FIEMAP_FLAG_XATTR). */
    public static final int ATTRIBUTES = 1 << 3;
    /** A block of the file's own block map, found by an {@link ExtraExtentSource}, not by FIEMAP. */
    public static final int EXTENT_MAP = 1 << 4;
    /** Found by an {@link ExtraExtentSource}; confirmed by asking it again. */
    public static final int EXTRA = 1 << 5;

    private ExtentFlags() {
    }

    /** The fork an extent with these flags belongs to. */
    public static Fork fork(int flags) {
        if ((flags & EXTENT_MAP) != 0) {
            return Fork.EXTENT_MAP;
        }
        return (flags & ATTRIBUTES) != 0 ? Fork.ATTRIBUTES : Fork.DATA;
    }

    public static boolean has(int flags, int flag) {
        return (flags & flag) != 0;
    }
}
