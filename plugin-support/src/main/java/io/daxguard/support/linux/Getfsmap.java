package io.daxguard.support.linux;

import com.sun.jna.Memory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * {@code FS_IOC_GETFSMAP}: the filesystem's reverse map, queried over a physical range of one device.
 *
 * <pre>
 * struct fsmap_head (192 bytes + records)   offset
 *   __u32 fmh_iflags                           0
 *   __u32 fmh_oflags                           4   FMH_OF_DEV_T = 1
 *   __u32 fmh_count      (records room)        8
 *   __u32 fmh_entries    (records returned)   12
 *   __u64 fmh_reserved[6]                     16
 *   struct fsmap fmh_keys[2]                  64  low key, high key (inclusive)
 *   struct fsmap fmh_recs[]                  192
 *
 * struct fsmap (64 bytes)                   offset
 *   __u32 fmr_device                           0
 *   __u32 fmr_flags                            4
 *   __u64 fmr_physical  (bytes)                8
 *   __u64 fmr_owner                           16
 *   __u64 fmr_offset    (bytes)               24
 *   __u64 fmr_length    (bytes)               32
 *   __u64 fmr_reserved[3]                     40
 * </pre>
 *
 * Keys compare as tuples (device, physical, owner, offset, flags), so the physical bounds only bite when
 * {@code fmr_device} is set in both keys. Pagination copies the last returned record into the low key,
 * as the kernel's {@code fsmap_advance} expects; {@code FMR_OF_LAST} marks the end.
 */
public final class Getfsmap {
    /** {@code _IOWR('X', 59, struct fsmap_head)}. */
    static final long FS_IOC_GETFSMAP = 0xc0c0583bL;
    static final int HEAD_SIZE = 192;
    static final int RECORD_SIZE = 64;
    static final int OFFSET_IFLAGS = 0;
    static final int OFFSET_COUNT = 8;
    static final int OFFSET_ENTRIES = 12;
    static final int OFFSET_KEYS = 64;
    static final int OFFSET_RECORDS = 192;
    static final int FIELD_DEVICE = 0;
    static final int FIELD_FLAGS = 4;
    static final int FIELD_PHYSICAL = 8;
    static final int FIELD_OWNER = 16;
    static final int FIELD_OFFSET = 24;
    static final int FIELD_LENGTH = 32;

    /** Records fetched per call; one call answers a typical single-block query. */
    public static final int DEFAULT_BATCH = 128;
    /**
     * Records fetched per call by a walk of a whole device or a large part of it (a scrub, a count of written bytes):
     * 128 KiB of records per call, so a walk of 200,000 extents makes ~100 calls (and opens) rather than ~1,600.
     */
    public static final int WALK_BATCH = 2048;

    /** Receives records in key order; returns false to stop the query. */
    @FunctionalInterface
    public interface Visitor {
        boolean visit(FsmapRecord record) throws IOException;
    }

    private Getfsmap() {
    }

    /** Opens a descriptor on the filesystem for one kernel call (and checks it is still that filesystem). */
    @FunctionalInterface
    public interface Opener {
        NativeFile open() throws IOException;
    }

    /** One {@code FS_IOC_GETFSMAP} call on the buffer. */
    @FunctionalInterface
    private interface Ask {
        void ask(Memory head) throws IOException;
    }

    /**
     * Visits every record that overlaps {@code [from, to)} on {@code deviceCookie}, untrimmed.
     *
     * @param filesystem   any open file on the filesystem, usually its mount point
     * @param deviceCookie the {@code fmr_device} of the data device ({@code DeviceNumber.encoded()} on XFS)
     */
    public static void query(NativeFile filesystem, int deviceCookie, long from, long to, int batch,
                             Visitor visitor) throws IOException {
        query(head -> filesystem.ioctl("FS_IOC_GETFSMAP", FS_IOC_GETFSMAP, head), deviceCookie, from, to, batch,
                visitor);
    }

    /**
     * As {@link #query(NativeFile, int, long, long, int, Visitor)}, with no descriptor open while {@code visitor}
     * runs: each kernel call opens the filesystem, asks and closes it before its records are visited. For a visitor
     * that may take long (a scrub reading each extent it is handed): a descriptor held meanwhile would make the
     * administrator's {@code umount} fail with EBUSY. After an unmount the next call's {@code opener} fails.
     */
    public static void queryReleasing(Opener opener, int deviceCookie, long from, long to, int batch,
                                      Visitor visitor) throws IOException {
        query(head -> {
            try (NativeFile filesystem = opener.open()) {
                filesystem.ioctl("FS_IOC_GETFSMAP", FS_IOC_GETFSMAP, head);
            }
        }, deviceCookie, from, to, batch, visitor);
    }

    private static void query(Ask ask, int deviceCookie, long from, long to, int batch, Visitor visitor)
            throws IOException {
        if (from < 0 || to <= from) {
            throw new IllegalArgumentException("range must be non-empty, was [" + from + ", " + to + ")");
        }
        try (Memory head = new Memory(HEAD_SIZE + (long) batch * RECORD_SIZE)) {
            head.clear(HEAD_SIZE);
            head.setInt(OFFSET_COUNT, batch);
            long low = OFFSET_KEYS;
            long high = OFFSET_KEYS + RECORD_SIZE;
            head.setInt(low + FIELD_DEVICE, deviceCookie);
            head.setLong(low + FIELD_PHYSICAL, from);
            head.setInt(high + FIELD_DEVICE, deviceCookie);
            head.setInt(high + FIELD_FLAGS, -1);
            head.setLong(high + FIELD_PHYSICAL, to - 1);
            head.setLong(high + FIELD_OWNER, -1L);
            head.setLong(high + FIELD_OFFSET, -1L);
            while (true) {
                ask.ask(head);
                int entries = head.getInt(OFFSET_ENTRIES);
                if (entries == 0) {
                    return;
                }
                // One view of the returned records, read by plain loads: a JNA accessor per field is a native call.
                ByteBuffer records = head.getByteBuffer(OFFSET_RECORDS, (long) entries * RECORD_SIZE)
                        .order(ByteOrder.nativeOrder());
                FsmapRecord last = null;
                for (int i = 0; i < entries; i++) {
                    last = decode(records, i * RECORD_SIZE);
                    if (!visitor.visit(last)) {
                        return;
                    }
                }
                if (last.isLast()) {
                    return;
                }
                head.write(low, head.getByteArray(OFFSET_RECORDS + (long) (entries - 1) * RECORD_SIZE, RECORD_SIZE),
                        0, RECORD_SIZE);
            }
        }
    }

    static FsmapRecord decode(ByteBuffer buffer, int at) {
        return new FsmapRecord(
                buffer.getInt(at + FIELD_DEVICE),
                buffer.getInt(at + FIELD_FLAGS),
                buffer.getLong(at + FIELD_PHYSICAL),
                buffer.getLong(at + FIELD_OWNER),
                buffer.getLong(at + FIELD_OFFSET),
                buffer.getLong(at + FIELD_LENGTH));
    }
}
