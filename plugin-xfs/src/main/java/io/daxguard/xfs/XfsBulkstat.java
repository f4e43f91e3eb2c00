package io.daxguard.xfs;

import com.sun.jna.Memory;
import io.daxguard.support.linux.NativeCallException;
import io.daxguard.support.linux.NativeFile;
import java.util.Optional;

/**
 * {@code XFS_IOC_BULKSTAT} (v5, Linux 5.2): an inode's core by number, without a path and without opening
 * the file. daxguard asks for one inode at a time, because GETFSMAP names inodes scattered over the whole
 * filesystem; the kernel answers with the first allocated inode at or after the one asked, so an answer
 * for another number means the asked inode is no longer allocated. Needs {@code CAP_SYS_ADMIN}.
 *
 * <pre>
 * struct xfs_bulk_ireq (64 bytes)     offset
 *   __u64 ino     (in/out)               0
 *   __u32 flags                          8
 *   __u32 icount  (room)                12
 *   __u32 ocount  (returned)            16
 *   __u32 agno                          20
 *   __u64 reserved[5]                   24
 *
 * struct xfs_bulkstat (192 bytes)     offset
 *   __u64 bs_ino                         0
 *   __u64 bs_size                        8
 *   __u64 bs_blocks, bs_xflags          16, 24
 *   __s64 bs_atime..bs_btime            32..63
 *   __u32 bs_gen                        64
 *   __u32 bs_uid, bs_gid, bs_projectid  68, 72, 76
 *   ...nanoseconds, blksize, rdev,
 *      cowextsize, extsize              80..111
 *   __u32 bs_nlink                     112
 *   __u32 bs_extents, bs_aextents      116, 120
 *   __u16 bs_version, bs_forkoff       124, 126
 *   __u16 bs_sick, bs_checked          128, 130
 *   __u16 bs_mode                      132
 *   __u16 bs_pad2                      134
 *   __u64 bs_extents64                 136
 *   __u64 bs_pad[6]                    144
 * </pre>
 */
public final class XfsBulkstat {
    /** {@code _IOR('X', 127, struct xfs_bulkstat_req)}; the request header is 64 bytes. */
    static final long XFS_IOC_BULKSTAT = 0x8040587fL;
    static final int IREQ_SIZE = 64;
    static final int IREQ_INO = 0;
    static final int IREQ_FLAGS = 8;
    static final int IREQ_ICOUNT = 12;
    static final int IREQ_OCOUNT = 16;
    static final int BULKSTAT_SIZE = 192;
    static final int BS_INO = 0;
    static final int BS_SIZE = 8;
    static final int BS_GEN = 64;
    static final int BS_NLINK = 112;
    static final int BS_MODE = 132;

    /**
     * What BULKSTAT says of one inode.
     *
     * @param inode      inode number
     * @param generation inode generation, as {@code FS_IOC_GETVERSION} reports it
     * @param mode       type and permission bits
     * @param links      hard links
     * @param size       size in bytes
     */
    public record InodeStat(long inode, long generation, int mode, int links, long size) {
    }

    private XfsBulkstat() {
    }

    /** The inode's core, or empty when no inode of that number is allocated. */
    public static Optional<InodeStat> of(NativeFile filesystem, long inode) throws NativeCallException {
        try (Memory buffer = new Memory(IREQ_SIZE + BULKSTAT_SIZE)) {
            buffer.clear();
            buffer.setLong(IREQ_INO, inode);
            buffer.setInt(IREQ_FLAGS, 0);
            buffer.setInt(IREQ_ICOUNT, 1);
            filesystem.ioctl("XFS_IOC_BULKSTAT", XFS_IOC_BULKSTAT, buffer);
            if (buffer.getInt(IREQ_OCOUNT) < 1) {
                return Optional.empty();
            }
            long found = buffer.getLong(IREQ_SIZE + BS_INO);
            if (found != inode) {
                return Optional.empty();
            }
            return Optional.of(new InodeStat(found, buffer.getInt(IREQ_SIZE + BS_GEN) & 0xffff_ffffL,
                    buffer.getShort(IREQ_SIZE + BS_MODE) & 0xffff, buffer.getInt(IREQ_SIZE + BS_NLINK),
                    buffer.getLong(IREQ_SIZE + BS_SIZE)));
        }
    }
}
