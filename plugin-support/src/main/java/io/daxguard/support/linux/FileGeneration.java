package io.daxguard.support.linux;

import com.sun.jna.Memory;

/**
 * {@code FS_IOC_GETVERSION}: the inode generation, which tells a reused inode number from the file that
 * had it before. Declared {@code _IOR('v', 1, long)}; XFS and ext4 store a 32-bit value through an
 * {@code int __user *}, so daxguard reads the first four bytes of an eight-byte buffer, unsigned.
 */
public final class FileGeneration {
    /** {@code _IOR('v', 1, long)} on LP64. */
    static final long FS_IOC_GETVERSION = 0x80087601L;

    private FileGeneration() {
    }

    public static long of(NativeFile file) throws NativeCallException {
        try (Memory buffer = new Memory(8)) {
            buffer.clear();
            file.ioctl("FS_IOC_GETVERSION", FS_IOC_GETVERSION, buffer);
            return buffer.getInt(0) & 0xffff_ffffL;
        }
    }
}
