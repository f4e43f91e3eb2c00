package io.daxguard.support.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;

/**
 * What {@code fstatfs(2)} says of a mounted filesystem.
 *
 * <pre>
 * struct statfs, x86-64 (120 bytes)   offset
 *   long f_type                         0
 *   long f_bsize                        8
 *   long f_blocks, f_bfree, f_bavail   16, 24, 32
 *   long f_files, f_ffree              40, 48
 *   fsid_t f_fsid                      56
 *   long f_namelen, f_frsize, f_flags  64, 72, 80
 *   long f_spare[4]                    88
 * </pre>
 *
 * @param magic      the filesystem magic number ({@code XFS_SUPER_MAGIC 0x58465342}, {@code EXT4 0xef53})
 * @param blockSize  the block size in bytes
 * @param blocks     total data blocks
 * @param freeBlocks free blocks
 */
public record FilesystemStats(long magic, long blockSize, long blocks, long freeBlocks) {
    static final int SIZE = 120;
    static final int OFFSET_TYPE = 0;
    static final int OFFSET_BSIZE = 8;
    static final int OFFSET_BLOCKS = 16;
    static final int OFFSET_BFREE = 24;

    public static final long XFS_MAGIC = 0x58465342L;
    public static final long EXT4_MAGIC = 0xef53L;

    public static FilesystemStats of(NativeFile file) throws NativeCallException {
        try (Memory buffer = new Memory(SIZE)) {
            buffer.clear();
            try {
                LibC.fstatfs(file.fd(), buffer);
            } catch (LastErrorException e) {
                throw NativeCallException.from("fstatfs", file.name(), e);
            }
            return new FilesystemStats(buffer.getLong(OFFSET_TYPE), buffer.getLong(OFFSET_BSIZE),
                    buffer.getLong(OFFSET_BLOCKS), buffer.getLong(OFFSET_BFREE));
        }
    }
}
