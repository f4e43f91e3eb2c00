package io.daxguard.support.linux;

import com.sun.jna.Memory;

/**
 * What the kernel does to a whole mounted filesystem, asked through any open file on it (its mount point): freeze
 * ({@code FIFREEZE}: every write waits until it is thawed; the filesystem is brought to a consistent state on disk
 * first), thaw ({@code FITHAW}), and shut down ({@code XFS_IOC_GOINGDOWN}, {@code EXT4_IOC_SHUTDOWN}: every I/O
 * fails with EIO from then on, until it is unmounted; the log is flushed first, the data not). All need
 * {@code CAP_SYS_ADMIN}.
 *
 * <pre>
 * FIFREEZE           _IOWR('X', 119, int)     linux/fs.h; the argument is not read
 * FITHAW             _IOWR('X', 120, int)     linux/fs.h; the argument is not read
 * XFS_IOC_GOINGDOWN  _IOR('X', 125, __u32)    xfs/xfs_fs.h; argument: a pointer to the flags
 *   XFS_FSOP_GOING_FLAGS_LOGFLUSH   0x1       flush the log, not the data
 * EXT4_IOC_SHUTDOWN  _IOR('X', 125, __u32)    linux/ext4.h (uapi since Linux 6.8; fs/ext4/ext4.h before)
 *   EXT4_GOING_FLAGS_LOGFLUSH       0x1       flush the journal, not the data
 * </pre>
 *
 * A failure is a {@link FilesystemControlException} saying what the errno means for that call.
 */
public final class FilesystemControl {
    static final long FIFREEZE = 0xc0045877L;
    static final long FITHAW = 0xc0045878L;
    static final long XFS_IOC_GOINGDOWN = 0x8004587dL;
    static final int XFS_FSOP_GOING_FLAGS_LOGFLUSH = 0x1;
    static final long EXT4_IOC_SHUTDOWN = 0x8004587dL;
    static final int EXT4_GOING_FLAGS_LOGFLUSH = 0x1;

    private FilesystemControl() {
    }

    /**
     * {@code FIFREEZE}: returns once the filesystem is consistent on disk and every new write waits.
     *
     * @throws FilesystemControlException {@link FilesystemControlException.Meaning#ALREADY_FROZEN} (EBUSY),
     *                                    {@link FilesystemControlException.Meaning#UNSUPPORTED} (EOPNOTSUPP: the
     *                                    filesystem cannot be frozen), {@link FilesystemControlException.Meaning#NOT_PERMITTED}
     */
    public static void freeze(NativeFile mountPoint) throws FilesystemControlException {
        call(mountPoint, "FIFREEZE", FIFREEZE, null);
    }

    /**
     * {@code FITHAW}: writes waiting on the freeze go on.
     *
     * @throws FilesystemControlException {@link FilesystemControlException.Meaning#NOT_FROZEN} (EINVAL)
     */
    public static void thaw(NativeFile mountPoint) throws FilesystemControlException {
        call(mountPoint, "FITHAW", FITHAW, null);
    }

    /**
     * Whether the filesystem is frozen now, by anyone. The kernel tells it only by refusing a second freeze (EBUSY),
     * so this freezes and at once thaws a filesystem that was not (which writes its dirty data out: not for a hot path).
     *
     * @throws FilesystemControlException when the filesystem cannot be frozen at all (unsupported, not permitted)
     */
    public static boolean isFrozen(NativeFile mountPoint) throws FilesystemControlException {
        try {
            freeze(mountPoint);
        } catch (FilesystemControlException e) {
            if (e.meaning() == FilesystemControlException.Meaning.ALREADY_FROZEN) {
                return true;
            }
            throw e;
        }
        thaw(mountPoint);
        return false;
    }

    /** {@code XFS_IOC_GOINGDOWN} with {@code XFS_FSOP_GOING_FLAGS_LOGFLUSH}. */
    public static void shutdownXfs(NativeFile mountPoint) throws FilesystemControlException {
        try (Memory flags = new Memory(4)) {
            flags.setInt(0, XFS_FSOP_GOING_FLAGS_LOGFLUSH);
            call(mountPoint, "XFS_IOC_GOINGDOWN", XFS_IOC_GOINGDOWN, flags);
        }
    }

    /** {@code EXT4_IOC_SHUTDOWN} with {@code EXT4_GOING_FLAGS_LOGFLUSH}. */
    public static void shutdownExt4(NativeFile mountPoint) throws FilesystemControlException {
        try (Memory flags = new Memory(4)) {
            flags.setInt(0, EXT4_GOING_FLAGS_LOGFLUSH);
            call(mountPoint, "EXT4_IOC_SHUTDOWN", EXT4_IOC_SHUTDOWN, flags);
        }
    }

    private static void call(NativeFile mountPoint, String name, long request, Memory argument)
            throws FilesystemControlException {
        try {
            mountPoint.ioctl(name, request, argument);
        } catch (NativeCallException e) {
            throw new FilesystemControlException(e);
        }
    }
}
