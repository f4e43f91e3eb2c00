package io.daxguard.xfs;

import com.sun.jna.Memory;
import io.daxguard.support.linux.NativeCallException;
import io.daxguard.support.linux.NativeFile;

/**
 * {@code XFS_IOC_FSGEOMETRY}: the superblock facts {@code xfs_info} prints. daxguard reads it to learn, without
 * privileges, whether the filesystem has the reverse-map btree: without it GETFSMAP still answers, but only
 * with free space and "unknown" owners, which would look like a working reverse map that finds nothing.
 *
 * <pre>
 * struct xfs_fsop_geom (256 bytes; the V4 form is the first 112)   offset
 *   __u32 blocksize                                                   0
 *   __u32 rtextsize                                                   4
 *   __u32 agblocks                                                    8
 *   __u32 agcount                                                    12
 *   __u32 logblocks                                                  16
 *   __u32 sectsize                                                   20
 *   __u32 inodesize                                                  24
 *   __u32 imaxpct                                                    28
 *   __u64 datablocks                                                 32
 *   __u64 rtblocks                                                   40
 *   __u64 rtextents                                                  48
 *   __u64 logstart     (0 when the log is on its own device)         56
 *   __u8  uuid[16]                                                   64
 *   __u32 sunit, swidth                                              80, 84
 *   __s32 version                                                    88
 *   __u32 flags        XFS_FSOP_GEOM_FLAGS_*                         92
 *   __u32 logsectsize, rtsectsize, dirblocksize, logsunit            96..111
 *   __u32 sick, checked                                             112, 116   (V5 only)
 *   __u64 reserved[17]                                              120
 * </pre>
 *
 * @param blockSize  data block size in bytes
 * @param agBlocks   blocks per allocation group
 * @param agCount    number of allocation groups
 * @param logBlocks  blocks of the journal
 * @param dataBlocks blocks of the data device
 * @param rtBlocks   blocks of the realtime device, 0 without one
 * @param logStart   first block of an internal log, 0 for an external log
 * @param flags      {@code XFS_FSOP_GEOM_FLAGS_*}
 * @param uuid       the filesystem UUID, lower case with dashes (for kernels before {@code FS_IOC_GETFSUUID})
 * @param sectorSize the data device's sector size in bytes (each AG's header sectors are this big)
 */
public record XfsGeometry(int blockSize, int agBlocks, int agCount, int logBlocks, long dataBlocks,
                          long rtBlocks, long logStart, int flags, String uuid, int sectorSize) {
    /** {@code _IOR('X', 126, struct xfs_fsop_geom)}, Linux 5.1. */
    static final long XFS_IOC_FSGEOMETRY = 0x8100587eL;
    /** {@code _IOR('X', 124, struct xfs_fsop_geom_v4)}, for kernels before 5.1. */
    static final long XFS_IOC_FSGEOMETRY_V4 = 0x8070587cL;
    static final int SIZE = 256;
    static final int SIZE_V4 = 112;
    static final int OFFSET_BLOCKSIZE = 0;
    static final int OFFSET_AGBLOCKS = 8;
    static final int OFFSET_AGCOUNT = 12;
    static final int OFFSET_LOGBLOCKS = 16;
    static final int OFFSET_SECTSIZE = 20;
    static final int OFFSET_DATABLOCKS = 32;
    static final int OFFSET_RTBLOCKS = 40;
    static final int OFFSET_LOGSTART = 56;
    static final int OFFSET_UUID = 64;
    static final int OFFSET_FLAGS = 92;

    public static final int FLAG_RMAPBT = 1 << 19;
    public static final int FLAG_REFLINK = 1 << 20;

    public static XfsGeometry of(NativeFile filesystem) throws NativeCallException {
        try (Memory buffer = new Memory(SIZE)) {
            buffer.clear();
            try {
                filesystem.ioctl("XFS_IOC_FSGEOMETRY", XFS_IOC_FSGEOMETRY, buffer);
            } catch (NativeCallException e) {
                if (!e.isUnsupported()) {
                    throw e;
                }
                buffer.clear();
                filesystem.ioctl("XFS_IOC_FSGEOMETRY_V4", XFS_IOC_FSGEOMETRY_V4, buffer);
            }
            return new XfsGeometry(buffer.getInt(OFFSET_BLOCKSIZE), buffer.getInt(OFFSET_AGBLOCKS),
                    buffer.getInt(OFFSET_AGCOUNT), buffer.getInt(OFFSET_LOGBLOCKS), buffer.getLong(OFFSET_DATABLOCKS),
                    buffer.getLong(OFFSET_RTBLOCKS), buffer.getLong(OFFSET_LOGSTART), buffer.getInt(OFFSET_FLAGS),
                    formatUuid(buffer.getByteArray(OFFSET_UUID, 16)), buffer.getInt(OFFSET_SECTSIZE));
        }
    }

    static String formatUuid(byte[] uuid) {
        StringBuilder text = new StringBuilder(36);
        for (int i = 0; i < uuid.length; i++) {
            if (i == 4 || i == 6 || i == 8 || i == 10) {
                text.append('-');
            }
            text.append(Character.forDigit((uuid[i] >> 4) & 0xf, 16)).append(Character.forDigit(uuid[i] & 0xf, 16));
        }
        return text.toString();
    }

    /** Whether the filesystem was made with the reverse-map btree ({@code mkfs.xfs -m rmapbt=1}). */
    public boolean hasReverseMap() {
        return (flags & FLAG_RMAPBT) != 0;
    }

    /** Whether files can share blocks ({@code mkfs.xfs -m reflink=1}). */
    public boolean hasReflink() {
        return (flags & FLAG_REFLINK) != 0;
    }

    /** Whether the journal lives on a device of its own. */
    public boolean hasExternalLog() {
        return logStart == 0;
    }

    /**
     * {@code log2} of the AG size rounded up to a power of two ({@code sb_agblklog}): an XFS filesystem block
     * number ({@code xfs_fsblock_t}, as {@link #logStart} is) is {@code agno << agBlockLog | agbno}.
     */
    public int agBlockLog() {
        return 32 - Integer.numberOfLeadingZeros(agBlocks - 1);
    }

    /** The byte offset on the data device of a filesystem block number ({@code XFS_FSB_TO_DADDR} in bytes). */
    public long fsBlockToByte(long fsBlock) {
        long ag = fsBlock >>> agBlockLog();
        long agBlock = fsBlock & ((1L << agBlockLog()) - 1);
        return (ag * agBlocks + agBlock) * blockSize;
    }

    /** The size of the data device's filesystem in bytes. */
    public long dataBytes() {
        return dataBlocks * blockSize;
    }
}
