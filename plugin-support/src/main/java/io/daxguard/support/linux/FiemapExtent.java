package io.daxguard.support.linux;

/**
 * One {@code struct fiemap_extent}: a run of a file mapped to the device; bytes throughout.
 *
 * @param logical  offset in the file
 * @param physical offset on the device
 * @param length   bytes
 * @param flags    {@code FIEMAP_EXTENT_*}
 */
public record FiemapExtent(long logical, long physical, long length, int flags) {
    public static final int LAST = 0x1;
    public static final int UNKNOWN = 0x2;
    public static final int DELALLOC = 0x4;
    public static final int ENCODED = 0x8;
    public static final int DATA_ENCRYPTED = 0x80;
    public static final int NOT_ALIGNED = 0x100;
    public static final int DATA_INLINE = 0x200;
    public static final int DATA_TAIL = 0x400;
    public static final int UNWRITTEN = 0x800;
    public static final int MERGED = 0x1000;
    public static final int SHARED = 0x2000;

    public boolean isLast() {
        return (flags & LAST) != 0;
    }

    public boolean isUnwritten() {
        return (flags & UNWRITTEN) != 0;
    }

    public boolean isShared() {
        return (flags & SHARED) != 0;
    }

    public boolean isInline() {
        return (flags & DATA_INLINE) != 0;
    }

    /** Whether {@link #physical} is not a real device address (delayed allocation, inline, unknown). */
    public boolean hasNoPhysicalAddress() {
        return (flags & (UNKNOWN | DELALLOC | DATA_INLINE)) != 0;
    }

    public long logicalEnd() {
        return logical + length;
    }

    public long physicalEnd() {
        return physical + length;
    }
}
