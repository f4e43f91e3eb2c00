package io.daxguard.support.linux;

import com.sun.jna.Memory;
import java.io.IOException;

/**
 * {@code FS_IOC_FIEMAP}: where a file's bytes live on the device.
 *
 * <pre>
 * struct fiemap (32 bytes + extents)         offset
 *   __u64 fm_start                              0
 *   __u64 fm_length                             8
 *   __u32 fm_flags      FIEMAP_FLAG_SYNC 1, XATTR 2   16
 *   __u32 fm_mapped_extents (out)              20
 *   __u32 fm_extent_count   (room)             24
 *   __u32 fm_reserved                          28
 *   struct fiemap_extent fm_extents[]          32
 *
 * struct fiemap_extent (56 bytes)            offset
 *   __u64 fe_logical, fe_physical, fe_length   0, 8, 16
 *   __u64 fe_reserved64[2]                     24
 *   __u32 fe_flags                             40
 *   __u32 fe_reserved[3]                       44
 * </pre>
 */
public final class Fiemap {
    /** {@code _IOWR('f', 11, struct fiemap)}. */
    static final long FS_IOC_FIEMAP = 0xc020660bL;
    static final int HEAD_SIZE = 32;
    static final int EXTENT_SIZE = 56;
    static final int OFFSET_START = 0;
    static final int OFFSET_LENGTH = 8;
    static final int OFFSET_FLAGS = 16;
    static final int OFFSET_MAPPED = 20;
    static final int OFFSET_COUNT = 24;
    static final int FIELD_LOGICAL = 0;
    static final int FIELD_PHYSICAL = 8;
    static final int FIELD_LENGTH = 16;
    static final int FIELD_FLAGS = 40;

    public static final int FLAG_SYNC = 0x1;
    public static final int FLAG_XATTR = 0x2;
    public static final int DEFAULT_BATCH = 64;

    /** Receives extents in file order; returns false to stop. */
    @FunctionalInterface
    public interface Visitor {
        boolean visit(FiemapExtent extent) throws IOException;
    }

    private Fiemap() {
    }

    /** Visits the extents of {@code file} that overlap {@code [start, start+length)}. */
    public static void map(NativeFile file, long start, long length, int flags, int batch, Visitor visitor)
            throws IOException {
        long end = length == Long.MAX_VALUE ? Long.MAX_VALUE : start + length;
        try (Memory buffer = new Memory(HEAD_SIZE + (long) batch * EXTENT_SIZE)) {
            long next = start;
            while (next < end) {
                buffer.clear(HEAD_SIZE);
                buffer.setLong(OFFSET_START, next);
                buffer.setLong(OFFSET_LENGTH, end == Long.MAX_VALUE ? -1L : end - next);
                buffer.setInt(OFFSET_FLAGS, flags);
                buffer.setInt(OFFSET_COUNT, batch);
                file.ioctl("FS_IOC_FIEMAP", FS_IOC_FIEMAP, buffer);
                int mapped = buffer.getInt(OFFSET_MAPPED);
                if (mapped == 0) {
                    return;
                }
                FiemapExtent extent = null;
                for (int i = 0; i < mapped; i++) {
                    extent = decode(buffer, HEAD_SIZE + (long) i * EXTENT_SIZE);
                    if (!visitor.visit(extent)) {
                        return;
                    }
                }
                if (extent.isLast()) {
                    return;
                }
                next = extent.logicalEnd();
            }
        }
    }

    static FiemapExtent decode(Memory buffer, long at) {
        return new FiemapExtent(buffer.getLong(at + FIELD_LOGICAL), buffer.getLong(at + FIELD_PHYSICAL),
                buffer.getLong(at + FIELD_LENGTH), buffer.getInt(at + FIELD_FLAGS));
    }
}
