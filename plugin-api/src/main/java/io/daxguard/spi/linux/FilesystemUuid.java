package io.daxguard.spi.linux;

import com.sun.jna.Memory;

/**
 * {@code FS_IOC_GETFSUUID} (Linux 6.5): the filesystem UUID as the superblock holds it.
 *
 * <pre>
 * struct fsuuid2 (17 bytes)   offset
 *   __u8 len                     0
 *   __u8 uuid[16]                1
 * </pre>
 */
public final class FilesystemUuid {
    /** {@code _IOR(0x15, 0, struct fsuuid2)}. */
    static final long FS_IOC_GETFSUUID = 0x80111500L;
    static final int SIZE = 17;

    private FilesystemUuid() {
    }

    /** The UUID in its usual text form, lower case with dashes. */
    public static String of(NativeFile mountPoint) throws NativeCallException {
        try (Memory buffer = new Memory(SIZE)) {
            buffer.clear();
            mountPoint.ioctl("FS_IOC_GETFSUUID", FS_IOC_GETFSUUID, buffer);
            int length = buffer.getByte(0) & 0xff;
            return format(buffer.getByteArray(1, Math.min(length, 16)));
        }
    }

    static String format(byte[] uuid) {
        StringBuilder text = new StringBuilder(36);
        for (int i = 0; i < uuid.length; i++) {
            if (uuid.length == 16 && (i == 4 || i == 6 || i == 8 || i == 10)) {
                text.append('-');
            }
            text.append(Character.forDigit((uuid[i] >> 4) & 0xf, 16)).append(Character.forDigit(uuid[i] & 0xf, 16));
        }
        return text.toString();
    }
}
