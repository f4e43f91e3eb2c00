package io.daxguard.agent.recovery;

import io.daxguard.agent.ledger.FileKey;
import io.daxguard.spi.LinuxPath;
import io.daxguard.spi.linux.FileGeneration;
import io.daxguard.spi.linux.FileStatus;
import io.daxguard.spi.linux.NativeCallException;
import io.daxguard.spi.linux.NativeFile;
import java.io.IOException;
import java.util.List;

/**
 * Opens a damaged file for recovery only if it is still the file the damage was recorded for: the path is
 * walked one component at a time from the mount point with {@code O_NOFOLLOW} (a symlink anywhere on the way
 * is refused, not followed), and the open descriptor's device, inode and generation must equal the record's.
 * A replaced file (same path, new inode or generation) is refused with a message saying so, before any byte
 * is written. Checking the descriptor, not the path, leaves no window between check and write.
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
     * Opens {@code path} (relative to {@code mountPoint}, starting with {@code /}, in display form) as {@code key}.
     *
     * @throws IllegalStateException when the file is gone, is not a regular file, or is another file now
     */
    static NativeFile open(LinuxPath mountPoint, String path, FileKey key, NativeFile.Access access) {
        String shown = LinuxPath.joinDisplayed(mountPoint.display(), path);
        NativeFile directory = openParent(mountPoint, path);
        NativeFile file = null;
        try {
            file = directory.openChildNoFollow(lastComponent(path), access);
            requireRecordedFile(file, mountPoint, key, shown);
            NativeFile checked = file;
            file = null;
            return checked;
        } catch (NativeCallException e) {
            throw refusal(e, shown);
        } finally {
            closeQuietly(file);
            closeQuietly(directory);
        }
    }

    /**
     * Checks that an open descriptor is the recorded file: a regular file on the filesystem mounted at
     * {@code mountPoint} with the record's inode and generation.
     *
     * @throws IllegalStateException when it is not, saying what it is now
     */
    static void requireRecordedFile(NativeFile file, LinuxPath mountPoint, FileKey key, String shown)
            throws NativeCallException {
        FileStatus status = file.status();
        FileStatus mount = FileStatus.ofPath(mountPoint);
        if (!status.isRegularFile()) {
            throw new IllegalStateException("refused: " + shown + " is not a regular file now; nothing written");
        }
        long generation = FileGeneration.of(file);
        if (!status.device().equals(mount.device()) || status.inode() != key.inode()
                || generation != key.generation()) {
            throw new IllegalStateException("refused: " + shown + " is another file now (inode " + status.inode()
                    + ", generation " + generation + "; the damage was recorded for inode " + key.inode()
                    + ", generation " + key.generation() + "): the file was replaced; nothing written");
        }
    }

    /**
     * Opens the directory holding {@code path}'s last component, walking from the mount point one component at a
     * time with {@code O_NOFOLLOW}. The caller checks the identity of whatever it then opens or moves there.
     *
     * @throws IllegalStateException when a directory on the way is gone or is a symlink
     */
    static NativeFile openParent(LinuxPath mountPoint, String path) {
        List<LinuxPath> components = components(path);
        String shown = LinuxPath.joinDisplayed(mountPoint.display(), path);
        NativeFile directory = null;
        try {
            directory = NativeFile.openDirectory(mountPoint);
            for (int i = 0; i < components.size() - 1; i++) {
                NativeFile next = directory.openChildNoFollow(components.get(i), true);
                closeQuietly(directory);
                directory = next;
            }
            NativeFile parent = directory;
            directory = null;
            return parent;
        } catch (NativeCallException e) {
            throw refusal(e, shown);
        } finally {
            closeQuietly(directory);
        }
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

    private static void closeQuietly(NativeFile file) {
        if (file != null) {
            try {
                file.close();
            } catch (IOException ignored) {
                // A failed close of a read-only or already-synced descriptor loses nothing.
            }
        }
    }
}
