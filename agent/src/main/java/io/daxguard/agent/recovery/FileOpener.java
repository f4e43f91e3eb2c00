package io.daxguard.agent.recovery;

import io.daxguard.agent.ledger.FileKey;
import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.LinuxPath;
import io.daxguard.support.linux.FileGeneration;
import io.daxguard.support.linux.FileStatus;
import io.daxguard.support.linux.NativeCallException;
import io.daxguard.support.linux.NativeFile;
import java.util.List;

/**
 * Opens a damaged file for recovery only if it is still the file the damage was recorded for: the path is
 * resolved beneath the descriptor of the filesystem's root ({@link FilesystemRoot}) with no symbolic link followed
 * anywhere on the way and no other mount entered ({@link NativeFile#openBeneath}: {@code openat2} with
 * {@code RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV}, or a component-by-component
 * {@code openat(O_NOFOLLOW)} walk on kernels without it), and the open descriptor's device, inode and generation
 * must equal the record's (for a file of a subvolume, its {@code stx_subvol} instead of the device). A replaced file (same path, new inode or generation) is refused with a message saying
 * so, before any byte is written. Checking the descriptor, not the path, leaves no window between check and write;
 * a directory on the way swapped for a symlink meanwhile makes the open fail (ELOOP), never open another file.
 *
 * <p>The recorded path is the display form ({@link LinuxPath}); it is turned back into the exact bytes of each
 * component before anything is opened, so a name that is not UTF-8 is opened by its own bytes whatever the JVM's
 * charset.
 */
final class FileOpener {
    private static final LinuxPath DOT = LinuxPath.ofText(".");
    private static final LinuxPath DOT_DOT = LinuxPath.ofText("..");

    private FileOpener() {
    }

    /**
     * Opens {@code path} (relative to {@code mountPoint}, starting with {@code /}, in display form) as {@code key},
     * whatever filesystem is mounted there: for read-only identity checks. Actions open a {@link FilesystemRoot}
     * of the recorded filesystem and use {@link #open(FilesystemRoot, String, FileKey, NativeFile.Access)}.
     *
     * @throws IllegalStateException when the file is gone, is not a regular file, or is another file now
     */
    static NativeFile open(LinuxPath mountPoint, String path, FileKey key, NativeFile.Access access) {
        try (FilesystemRoot root = FilesystemRoot.ofWhateverIsMounted(mountPoint)) {
            return open(root, path, key, access);
        } catch (NativeCallException e) {
            throw refusal(e, LinuxPath.joinDisplayed(mountPoint.display(), path));
        }
    }

    /**
     * Opens {@code path} beneath {@code root} as {@code key}.
     *
     * @throws IllegalStateException when the file is gone, is not a regular file, or is another file now
     */
    static NativeFile open(FilesystemRoot root, String path, FileKey key, NativeFile.Access access) {
        String shown = LinuxPath.joinDisplayed(root.mountPoint().display(), path);
        NativeFile file = null;
        try {
            file = root.descriptor().openBeneath(relative(path), access, false);
            requireRecordedFile(file, root.device(), key, shown);
            NativeFile checked = file;
            file = null;
            return checked;
        } catch (NativeCallException e) {
            throw refusal(e, shown);
        } finally {
            if (file != null) {
                file.closeQuietly();
            }
        }
    }

    /**
     * Checks that an open descriptor is the recorded file: a regular file on {@code device} (the filesystem's, as
     * its root descriptor shows it) with the record's inode and generation.
     *
     * @throws IllegalStateException when it is not, saying what it is now
     */
    static void requireRecordedFile(NativeFile file, DeviceNumber device, FileKey key, String shown)
            throws NativeCallException {
        FileStatus status = file.status();
        if (!status.isRegularFile()) {
            throw new IllegalStateException("refused: " + shown + " is not a regular file now; nothing written");
        }
        long generation = FileGeneration.of(file);
        if (!onRecordedDevice(file, status, device, key, shown) || status.inode() != key.inode()
                || generation != key.generation()) {
            throw new IllegalStateException("refused: " + shown + " is another file now (inode " + status.inode()
                    + ", generation " + generation + "; the damage was recorded for inode " + key.inode()
                    + ", generation " + key.generation() + "): the file was replaced; nothing written");
        }
    }

    /**
     * Whether the file is where the record's inode number means that file: on the filesystem's device, or, for a file
     * of a subvolume ({@link FileKey#subvolume()} not 0: btrfs, where each subvolume has a device number of its own),
     * in that subvolume as {@code statx} reports it ({@code stx_subvol}); the descriptor was opened beneath the root
     * without leaving its mount, so it is on this filesystem. One inode number in two snapshots is two files, told
     * apart here.
     *
     * @throws IllegalStateException when the kernel cannot say which subvolume the file is in (before Linux 6.10)
     */
    private static boolean onRecordedDevice(NativeFile file, FileStatus status, DeviceNumber device, FileKey key,
                                            String shown) throws NativeCallException {
        if (key.subvolume() == io.daxguard.spi.FileOwner.ONE_INODE_SPACE) {
            return status.device().equals(device);
        }
        java.util.OptionalLong subvolume = FileStatus.subvolumeOf(file);
        if (subvolume.isEmpty()) {
            throw new IllegalStateException("refused: the kernel does not say which subvolume " + shown + " is in"
                    + " (statx STATX_SUBVOL, Linux 6.10), so it cannot be told from a snapshot's file; nothing written");
        }
        return subvolume.getAsLong() == key.subvolume();
    }

    /**
     * Opens the directory holding {@code path}'s last component beneath {@code root}, as {@link #open} opens files.
     * The caller checks the identity of whatever it then opens or moves there.
     *
     * @throws IllegalStateException when a directory on the way is gone or is a symlink
     */
    static NativeFile openParent(FilesystemRoot root, String path) {
        List<LinuxPath> components = components(path);
        String shown = LinuxPath.joinDisplayed(root.mountPoint().display(), path);
        try {
            return root.descriptor().openDirectoryBeneath(joined(components.subList(0, components.size() - 1)),
                    false);
        } catch (NativeCallException e) {
            throw refusal(e, shown);
        }
    }

    /** A recorded path (display form, {@code /dir/file}) as the relative bytes {@code dir/file}. */
    static LinuxPath relative(String path) {
        return joined(components(path));
    }

    private static LinuxPath joined(List<LinuxPath> components) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        for (LinuxPath component : components) {
            if (bytes.size() > 0) {
                bytes.write('/');
            }
            bytes.writeBytes(component.bytes());
        }
        return bytes.size() == 0 ? DOT : LinuxPath.of(bytes.toByteArray());
    }

    /** The last component of a recorded path, as bytes. */
    static LinuxPath lastComponent(String path) {
        List<LinuxPath> components = components(path);
        return components.get(components.size() - 1);
    }

    private static IllegalStateException refusal(NativeCallException e, String shown) {
        if (e.errno() == NativeCallException.ELOOP) {
            return new IllegalStateException("refused: a symbolic link is on the way to " + shown
                    + "; daxguard follows none; nothing written");
        }
        if (e.errno() == NativeCallException.EXDEV) {
            return new IllegalStateException("refused: the way to " + shown + " enters another mount; daxguard acts "
                    + "only inside the file's own filesystem; nothing written");
        }
        if (e.errno() == NativeCallException.ENOENT) {
            return new IllegalStateException("refused: " + shown + " no longer exists (moved or deleted); nothing "
                    + "written");
        }
        return new IllegalStateException("cannot open " + shown + ": " + e.getMessage());
    }

    /** The components of a recorded path (display form), as bytes; {@code .} left out, {@code ..} refused. */
    static List<LinuxPath> components(String path) {
        List<LinuxPath> components;
        try {
            components = LinuxPath.fromDisplay(path).components().stream()
                    .filter(part -> !part.equals(DOT)).toList();
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("refused: the recorded path \"" + path + "\" is not a name: "
                    + e.getMessage());
        }
        if (components.contains(DOT_DOT)) {
            throw new IllegalStateException("refused: the recorded path " + path + " contains ..");
        }
        if (components.isEmpty()) {
            throw new IllegalStateException("refused: the recorded path \"" + path + "\" names no file");
        }
        return components;
    }
}
