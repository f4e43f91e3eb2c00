package io.daxguard.agent.recovery;

import io.daxguard.agent.ledger.FileKey;
import io.daxguard.spi.linux.FileGeneration;
import io.daxguard.spi.linux.FileStatus;
import io.daxguard.spi.linux.NativeCallException;
import io.daxguard.spi.linux.NativeFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens a damaged file for recovery only if it is still the file the damage was recorded for: the path is
 * walked one component at a time from the mount point with {@code O_NOFOLLOW} (a symlink anywhere on the way
 * is refused, not followed), and the open descriptor's device, inode and generation must equal the record's.
 * A replaced file (same path, new inode or generation) is refused with a message saying so, before any byte
 * is written. Checking the descriptor, not the path, leaves no window between check and write.
 */
final class FileOpener {
    private FileOpener() {
    }

    /**
     * Opens {@code path} (relative to {@code mountPoint}, starting with {@code /}) as {@code key}.
     *
     * @throws IllegalStateException when the file is gone, is not a regular file, or is another file now
     */
    static NativeFile open(Path mountPoint, String path, FileKey key, NativeFile.Access access) {
        List<String> components = components(path);
        String shown = mountPoint + path;
        NativeFile directory = null;
        NativeFile file = null;
        try {
            directory = NativeFile.openDirectory(mountPoint);
            for (int i = 0; i < components.size() - 1; i++) {
                NativeFile next = directory.openChildNoFollow(components.get(i), true);
                closeQuietly(directory);
                directory = next;
            }
            file = directory.openChildNoFollow(components.get(components.size() - 1), access);
            FileStatus status = file.status();
            FileStatus mount = FileStatus.ofPath(mountPoint);
            if (!status.isRegularFile()) {
                throw new IllegalStateException("refused: " + shown + " is not a regular file now; nothing written");
            }
            long generation = FileGeneration.of(file);
            if (!status.device().equals(mount.device()) || status.inode() != key.inode() || generation != key.generation()) {
                throw new IllegalStateException("refused: " + shown + " is another file now (inode " + status.inode()
                        + ", generation " + generation + "; the damage was recorded for inode " + key.inode()
                        + ", generation " + key.generation() + "): the file was replaced; nothing written");
            }
            NativeFile checked = file;
            file = null;
            return checked;
        } catch (NativeCallException e) {
            if (e.errno() == NativeCallException.ELOOP) {
                throw new IllegalStateException("refused: a symbolic link is on the way to " + shown
                        + "; daxguard follows none; nothing written");
            }
            if (e.errno() == NativeCallException.ENOENT) {
                throw new IllegalStateException("refused: " + shown + " no longer exists (moved or deleted); nothing "
                        + "written");
            }
            throw new IllegalStateException("cannot open " + shown + ": " + e.getMessage());
        } finally {
            closeQuietly(file);
            closeQuietly(directory);
        }
    }

    static List<String> components(String path) {
        List<String> components = new ArrayList<>();
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                throw new IllegalStateException("refused: the recorded path " + path + " contains ..");
            }
            components.add(part);
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
