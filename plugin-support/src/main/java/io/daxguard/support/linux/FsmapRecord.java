package io.daxguard.support.linux;

/**
 * One {@code struct fsmap} as {@code FS_IOC_GETFSMAP} returns it; all offsets and lengths in bytes.
 *
 * @param device   the device cookie ({@code new_encode_dev} on XFS)
 * @param flags    {@code FMR_OF_*}
 * @param physical first byte on the device
 * @param owner    inode number, or a special owner {@code FMR_OWNER(type, code)} when {@link #isSpecialOwner()}
 * @param offset   byte offset in the file (inode owners only)
 * @param length   bytes; XFS does not trim a record to the queried keys, so this may start before and end
 *                 after the query
 */
public record FsmapRecord(int device, int flags, long physical, long owner, long offset, long length) {
    public static final int FMR_OF_PREALLOC = 0x1;
    public static final int FMR_OF_ATTR_FORK = 0x2;
    public static final int FMR_OF_EXTENT_MAP = 0x4;
    public static final int FMR_OF_SHARED = 0x8;
    public static final int FMR_OF_SPECIAL_OWNER = 0x10;
    public static final int FMR_OF_LAST = 0x20;

    /** {@code FMR_OWNER(type, code)}. */
    public static long owner(char type, int code) {
        return ((long) type << 32) | (code & 0xffff_ffffL);
    }

    /** The generic special owners every filesystem may use. */
    public static final long OWN_FREE = owner('\0', 1);
    public static final long OWN_UNKNOWN = owner('\0', 2);
    public static final long OWN_METADATA = owner('\0', 3);

    public boolean isSpecialOwner() {
        return (flags & FMR_OF_SPECIAL_OWNER) != 0;
    }

    public boolean isLast() {
        return (flags & FMR_OF_LAST) != 0;
    }

    public boolean isShared() {
        return (flags & FMR_OF_SHARED) != 0;
    }

    public boolean isPrealloc() {
        return (flags & FMR_OF_PREALLOC) != 0;
    }

    public boolean isAttributeFork() {
        return (flags & FMR_OF_ATTR_FORK) != 0;
    }

    public boolean isExtentMap() {
        return (flags & FMR_OF_EXTENT_MAP) != 0;
    }

    /** One past the last byte. */
    public long end() {
        return physical + length;
    }
}
