package io.daxguard.support.linux;

import com.sun.jna.Memory;

/**
 * A mounted filesystem's UUID as the kernel has it, asked through its mount point (no access to the device).
 *
 * <p>Two ioctls, which can disagree. {@code FS_IOC_GETFSUUID} (Linux 6.5, any filesystem) copies the VFS's
 * {@code super_block.s_uuid}, taken once at mount time. ext4's own {@code EXT4_IOC_GETFSUUID} (Linux 6.0) copies
 * the UUID from the superblock buffer it writes to disk, so it is what {@code blkid} reads. They differ after
 * the UUID of a mounted ext4 was changed ({@code tune2fs -U} on a mounted filesystem, through
 * {@code EXT4_IOC_SETFSUUID}, which updates the on-disk superblock only): a root filesystem made with a nil UUID
 * and given its own at first boot answers zeros to {@code FS_IOC_GETFSUUID} until the next mount.
 *
 * <pre>
 * struct fsuuid2 (17 bytes)   offset     struct fsuuid (fs/ext4/ext4.h; 8 bytes + the UUID)   offset
 *   __u8 len                     0         __u32 fsu_len                                      0
 *   __u8 uuid[16]                1         __u32 fsu_flags (must be 0)                        4
 *                                          __u8  fsu_uuid[]                                   8
 * </pre>
 */
public final class FilesystemUuid {
    /** {@code _IOR(0x15, 0, struct fsuuid2)}. */
    static final long FS_IOC_GETFSUUID = 0x80111500L;
    static final int SIZE = 17;
    /** {@code _IOR('f', 44, struct fsuuid)}: the size in the number is of the header, without the UUID. */
    static final long EXT4_IOC_GETFSUUID = 0x8008662cL;
    static final int EXT4_HEADER_SIZE = 8;
    static final int EXT4_OFFSET_LEN = 0;
    static final int EXT4_OFFSET_FLAGS = 4;
    private static final int UUID_SIZE = 16;

    private FilesystemUuid() {
    }

    /**
     * {@code FS_IOC_GETFSUUID}: the UUID the VFS took when the filesystem was mounted, in its usual text form
     * (lower case with dashes).
     *
     * @throws NativeCallException {@link NativeCallException#isUnsupported()} before Linux 6.5 or for a filesystem
     *                             that keeps no UUID
     */
    public static String of(NativeFile mountPoint) throws NativeCallException {
        try (Memory buffer = new Memory(SIZE)) {
            buffer.clear();
            mountPoint.ioctl("FS_IOC_GETFSUUID", FS_IOC_GETFSUUID, buffer);
            int length = buffer.getByte(0) & 0xff;
            return format(buffer.getByteArray(1, Math.min(length, UUID_SIZE)));
        }
    }

    /**
     * {@code EXT4_IOC_GETFSUUID}: the UUID in ext4's superblock now, which is what {@code blkid} reads from the
     * device, also after an online {@code tune2fs -U}; needs no capability.
     *
     * @throws NativeCallException {@link NativeCallException#isUnsupported()} before Linux 6.0 ({@code ENOTTY}) or
     *                             on a filesystem that is not ext4
     */
    public static String ofExt4(NativeFile mountPoint) throws NativeCallException {
        try (Memory buffer = new Memory(EXT4_HEADER_SIZE + UUID_SIZE)) {
            buffer.clear();
            buffer.setInt(EXT4_OFFSET_LEN, UUID_SIZE);
            buffer.setInt(EXT4_OFFSET_FLAGS, 0);
            mountPoint.ioctl("EXT4_IOC_GETFSUUID", EXT4_IOC_GETFSUUID, buffer);
            // ext4's UUID is always 16 bytes: the kernel refuses (EINVAL) a smaller fsu_len and answers 16.
            return format(buffer.getByteArray(EXT4_HEADER_SIZE, UUID_SIZE));
        }
    }

    public static String format(byte[] uuid) {
        StringBuilder text = new StringBuilder(36);
        for (int i = 0; i < uuid.length; i++) {
            if (uuid.length == UUID_SIZE && (i == 4 || i == 6 || i == 8 || i == 10)) {
                text.append('-');
            }
            text.append(Character.forDigit((uuid[i] >> 4) & 0xf, 16)).append(Character.forDigit(uuid[i] & 0xf, 16));
        }
        return text.toString();
    }
}
