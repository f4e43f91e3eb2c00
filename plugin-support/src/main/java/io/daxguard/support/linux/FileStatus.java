package io.daxguard.support.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.LinuxPath;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What {@code statx(2)} says of a file. statx is used rather than stat because its layout is the same on
 * every architecture.
 *
 * <pre>
 * struct statx (256 bytes)              offset
 *   __u32 stx_mask                       0
 *   __u32 stx_blksize                    4
 *   __u64 stx_attributes                 8
 *   __u32 stx_nlink                     16
 *   __u32 stx_uid, stx_gid              20, 24
 *   __u16 stx_mode                      28
 *   __u64 stx_ino                       32
 *   __u64 stx_size                      40
 *   __u64 stx_blocks                    48
 *   ...timestamps                       64..127
 *   __u32 stx_rdev_major, rdev_minor    128, 132
 *   __u32 stx_dev_major, dev_minor      136, 140
 *   __u64 stx_mnt_id                    144
 *   __u32 stx_dio_mem_align, dio_offset_align  152, 156
 *   __u64 stx_subvol                    160 (0xa0; Linux 6.10, STATX_SUBVOL)
 * </pre>
 *
 * @param device the device of the filesystem holding the file
 * @param inode  inode number
 * @param mode   type and permission bits
 * @param links  hard link count
 * @param size   size in bytes
 * @param rdev   for a block or character device, the device it is
 * @param owner  the owner's user id
 */
public record FileStatus(DeviceNumber device, long inode, int mode, int links, long size, DeviceNumber rdev,
                         int owner) {
    static final int SIZE = 256;
    static final int OFFSET_NLINK = 16;
    static final int OFFSET_UID = 20;
    static final int OFFSET_MODE = 28;
    static final int OFFSET_INO = 32;
    static final int OFFSET_SIZE = 40;
    static final int OFFSET_RDEV_MAJOR = 128;
    static final int OFFSET_RDEV_MINOR = 132;
    static final int OFFSET_DEV_MAJOR = 136;
    static final int OFFSET_DEV_MINOR = 140;
    static final int OFFSET_MNT_ID = 144;
    static final int STATX_BASIC_STATS = 0x7ff;
    static final int STATX_MNT_ID = 0x1000;
    /**
     * Linux 6.8 include/uapi/linux/stat.h: stx_mnt_id is then the mount's 64-bit id, never reused (the older id of
     * STATX_MNT_ID is, after an unmount). Defined here since older installed headers lack it.
     */
    static final int STATX_MNT_ID_UNIQUE = 0x4000;
    /**
     * Linux 6.10 include/uapi/linux/stat.h: {@code __u64 stx_subvol} at 0xa0 (the first of what older headers call
     * {@code __spare3}) and {@code STATX_SUBVOL 0x00008000U}. Defined here since older installed headers lack them;
     * {@code KernelLayoutTest} checks them against the headers it finds (the spare area's offset on older ones).
     */
    static final int OFFSET_SUBVOL = 0xa0;
    static final int STATX_SUBVOL = 0x8000;
    static final int S_IFMT = 0170000;
    static final int S_IFREG = 0100000;
    static final int S_IFDIR = 0040000;
    static final int S_IFLNK = 0120000;
    static final int S_IFBLK = 0060000;

    /** Status of a path, not following a symlink in its last component. */
    public static FileStatus ofPathNoFollow(LinuxPath path) throws NativeCallException {
        return call(LibC.AT_FDCWD, path.nulTerminated(), LibC.AT_SYMLINK_NOFOLLOW | LibC.AT_NO_AUTOMOUNT, path);
    }

    /** {@link #ofPathNoFollow(LinuxPath)} of a path the JDK made from text. */
    public static FileStatus ofPathNoFollow(Path path) throws NativeCallException {
        return ofPathNoFollow(LinuxPath.of(path));
    }

    /**
     * Whether {@code names} names can be all of this file's: a regular file with more links than that has a name
     * made since they were found (a directory's link count counts its subdirectories, not its names).
     */
    public boolean hasNoMoreLinksThan(int names) {
        return !isRegularFile() || links <= names;
    }

    /** Status of a path, following symlinks. */
    public static FileStatus ofPath(LinuxPath path) throws NativeCallException {
        return call(LibC.AT_FDCWD, path.nulTerminated(), LibC.AT_NO_AUTOMOUNT, path);
    }

    /** {@link #ofPath(LinuxPath)} of a path the JDK made from text (a device node, a configured directory). */
    public static FileStatus ofPath(Path path) throws NativeCallException {
        return ofPath(LinuxPath.of(path));
    }

    /**
     * The id of the mount {@code path} is on: from Linux 6.8 the 64-bit id no other mount ever gets, so a filesystem
     * unmounted and mounted again (re-made, say) at the same place is told apart even when mountinfo reads the same;
     * on older kernels the mountinfo id, which a new mount may reuse.
     */
    public static long mountIdOf(LinuxPath path) throws NativeCallException {
        try (Memory buffer = new Memory(SIZE)) {
            buffer.clear();
            try {
                LibC.statx(LibC.AT_FDCWD, path.nulTerminated(), LibC.AT_NO_AUTOMOUNT,
                        STATX_MNT_ID | STATX_MNT_ID_UNIQUE, buffer);
            } catch (LastErrorException e) {
                throw NativeCallException.from("statx", path, e);
            }
            return buffer.getLong(OFFSET_MNT_ID);
        }
    }

    /** Status of {@code name} in {@code directory}, a symlink not followed ({@code statx(dirfd, AT_SYMLINK_NOFOLLOW)}). */
    public static FileStatus ofChildNoFollow(NativeFile directory, LinuxPath name) throws NativeCallException {
        return call(directory.fd(), name.nulTerminated(), LibC.AT_SYMLINK_NOFOLLOW | LibC.AT_NO_AUTOMOUNT,
                directory.childName(name));
    }

    /**
     * Status of {@code relative} ("/d/f", a path below {@code root}), reached from {@code root} with no symbolic link
     * followed on the way and no other mount entered ({@link NativeFile#openDirectoryBeneath}), the last component
     * not followed either: a directory swapped for a link to its new name does not lead to the file through a name
     * that is not one of its links.
     *
     * @throws IOException a {@link NativeCallException}: ELOOP for a symbolic link on the way, EXDEV for another
     *                     mount, ENOENT, ...
     */
    public static FileStatus ofPathBeneath(NativeFile root, LinuxPath relative) throws IOException {
        java.util.List<LinuxPath> components = relative.components();
        if (components.isEmpty()) {
            return root.status();
        }
        LinuxPath name = components.get(components.size() - 1);
        if (components.size() == 1) {
            return ofChildNoFollow(root, name);
        }
        try (NativeFile directory = root.openDirectoryBeneath(
                LinuxPath.ofComponents(components.subList(0, components.size() - 1)), false)) {
            return ofChildNoFollow(directory, name);
        }
    }

    /** {@link #mountIdOf(LinuxPath)} of an open descriptor. */
    public static long mountIdOf(NativeFile file) throws NativeCallException {
        try (Memory buffer = new Memory(SIZE)) {
            buffer.clear();
            try {
                LibC.statx(file.fd(), new byte[1], LibC.AT_EMPTY_PATH, STATX_MNT_ID | STATX_MNT_ID_UNIQUE, buffer);
            } catch (LastErrorException e) {
                throw NativeCallException.from("statx", file.name(), e);
            }
            return buffer.getLong(OFFSET_MNT_ID);
        }
    }

    /**
     * The subvolume an open file is in ({@code stx_subvol}: btrfs, the subvolume or snapshot's root id; bcachefs its
     * id), or empty when the kernel or the filesystem does not report one (before Linux 6.10; XFS, ext4). Two files
     * with one inode number in two snapshots differ here.
     */
    public static java.util.OptionalLong subvolumeOf(NativeFile file) throws NativeCallException {
        try (Memory buffer = new Memory(SIZE)) {
            buffer.clear();
            try {
                LibC.statx(file.fd(), new byte[1], LibC.AT_EMPTY_PATH, STATX_SUBVOL, buffer);
            } catch (LastErrorException e) {
                throw NativeCallException.from("statx", file.name(), e);
            }
            return subvolumeIn(buffer);
        }
    }

    /** {@link #subvolumeOf(NativeFile)} of a path, a symlink in its last component not followed. */
    public static java.util.OptionalLong subvolumeOf(LinuxPath path) throws NativeCallException {
        try (Memory buffer = new Memory(SIZE)) {
            buffer.clear();
            try {
                LibC.statx(LibC.AT_FDCWD, path.nulTerminated(), LibC.AT_SYMLINK_NOFOLLOW | LibC.AT_NO_AUTOMOUNT,
                        STATX_SUBVOL, buffer);
            } catch (LastErrorException e) {
                throw NativeCallException.from("statx", path, e);
            }
            return subvolumeIn(buffer);
        }
    }

    /** stx_subvol when the kernel set STATX_SUBVOL in stx_mask (offset 0) for this file. */
    private static java.util.OptionalLong subvolumeIn(Memory buffer) {
        return (buffer.getInt(0) & STATX_SUBVOL) != 0 ? java.util.OptionalLong.of(buffer.getLong(OFFSET_SUBVOL))
                : java.util.OptionalLong.empty();
    }

    static FileStatus ofDescriptor(NativeFile file) throws NativeCallException {
        return call(file.fd(), new byte[1], LibC.AT_EMPTY_PATH, file.name());
    }

    private static FileStatus call(int dirFd, byte[] path, int flags, Object target) throws NativeCallException {
        try (Memory buffer = new Memory(SIZE)) {
            buffer.clear();
            try {
                LibC.statx(dirFd, path, flags, STATX_BASIC_STATS, buffer);
            } catch (LastErrorException e) {
                throw NativeCallException.from("statx", target, e);
            }
            return decode(buffer);
        }
    }

    static FileStatus decode(Memory buffer) {
        return new FileStatus(
                new DeviceNumber(buffer.getInt(OFFSET_DEV_MAJOR), buffer.getInt(OFFSET_DEV_MINOR)),
                buffer.getLong(OFFSET_INO),
                buffer.getShort(OFFSET_MODE) & 0xffff,
                buffer.getInt(OFFSET_NLINK),
                buffer.getLong(OFFSET_SIZE),
                new DeviceNumber(buffer.getInt(OFFSET_RDEV_MAJOR), buffer.getInt(OFFSET_RDEV_MINOR)),
                buffer.getInt(OFFSET_UID));
    }

    /** Whether the file belongs to the user this process runs as ({@code geteuid}: root for the agent). */
    public boolean isOwnedByThisProcessUser() {
        return owner == LibC.geteuid();
    }

    /** The permission bits: {@code mode & 07777}. */
    public int permissions() {
        return mode & 07777;
    }

    public boolean isRegularFile() {
        return (mode & S_IFMT) == S_IFREG;
    }

    public boolean isDirectory() {
        return (mode & S_IFMT) == S_IFDIR;
    }

    public boolean isSymbolicLink() {
        return (mode & S_IFMT) == S_IFLNK;
    }

    public boolean isBlockDevice() {
        return (mode & S_IFMT) == S_IFBLK;
    }
}
