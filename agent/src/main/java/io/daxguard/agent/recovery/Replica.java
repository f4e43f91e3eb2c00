package io.daxguard.agent.recovery;

import io.daxguard.spi.LinuxPath;
import io.daxguard.support.linux.FileStatus;
import io.daxguard.support.linux.NativeCallException;
import io.daxguard.support.linux.NativeFile;
import java.io.IOException;
import java.security.MessageDigest;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A replica a damaged file is restored from, opened once and read only through that descriptor: its path must lie
 * under one of the configured replica roots ({@code replica.roots}); the root is opened from {@code /} with no
 * symbolic link followed and must be a directory owned by root ({@link #openRoot}), and the rest of the path is
 * resolved beneath it with no symbolic link followed and no {@code ..} ({@link NativeFile#openBeneath}). The opened
 * file is then checked (a regular file, not the damaged file, of the same size) and is the one copied from, so
 * nothing can be swapped in between the check and the copy.
 *
 * <p>A path outside every root is refused with the same words whatever is there: nothing is looked up, and the
 * refusal says nothing of the file (whether it exists, its size, its type).
 */
final class Replica implements AutoCloseable {
    private static final LinuxPath DOT = LinuxPath.ofText(".");
    private static final LinuxPath DOT_DOT = LinuxPath.ofText("..");
    private final NativeFile file;
    private static final int SHA256_CHUNK = 1 << 20;
    private final String shown;
    private final long size;

    private Replica(NativeFile file, String shown, long size) {
        this.file = file;
        this.shown = shown;
        this.size = size;
    }

    /**
     * Opens {@code replicaPath} (display form) under one of {@code roots} and checks it against the damaged file's
     * status.
     *
     * @throws IllegalArgumentException when the path is not under a root, or the replica cannot serve
     */
    static Replica open(List<LinuxPath> roots, String replicaPath, FileStatus target) {
        if (replicaPath == null || replicaPath.isBlank()) {
            throw new IllegalArgumentException("restoreFrom: replicaPath is empty; give the absolute path of a good "
                    + "copy under a replica root");
        }
        LinuxPath path = parse(replicaPath);
        LinuxPath root = roots.stream().filter(candidate -> isUnder(path, candidate)).findFirst()
                .orElseThrow(() -> outsideRoots(roots, replicaPath));
        List<LinuxPath> rest = path.components().subList(root.components().size(), path.components().size());
        NativeFile opened = null;
        try (NativeFile directory = openRoot(root, roots, replicaPath)) {
            opened = directory.openBeneath(joined(rest), NativeFile.Access.READ, true);
            FileStatus status = opened.status();
            check(status, target, replicaPath);
            Replica replica = new Replica(opened, replicaPath, status.size());
            opened = null;
            return replica;
        } catch (NativeCallException e) {
            throw new IllegalArgumentException("restoreFrom: cannot use replica " + replicaPath + ": " + reason(e));
        } catch (IOException e) {
            throw new IllegalArgumentException("restoreFrom: cannot use replica " + replicaPath + ": " + e.getMessage());
        } finally {
            if (opened != null) {
                opened.closeQuietly();
            }
        }
    }

    /**
     * Opens a replica root from {@code /}, one component at a time with no symbolic link followed
     * ({@link NativeFile#openDirectoryBeneath}, mounts crossed: a root is often a backup mount), and checks it is a
     * directory owned by root. Whoever could swap the root or a directory above it for a link would otherwise make
     * whatever the link reaches a replica, which restoreFrom copies into a file its caller can read.
     *
     * @throws IllegalArgumentException naming the root and {@code replica.roots}; never anything below the root
     */
    private static NativeFile openRoot(LinuxPath root, List<LinuxPath> roots, String replicaPath) {
        List<LinuxPath> components = root.components();
        NativeFile directory = null;
        try {
            NativeFile slash = NativeFile.openDirectory(LinuxPath.ROOT);
            try {
                directory = slash.openDirectoryBeneath(components.isEmpty() ? DOT : joined(components), true);
            } finally {
                slash.closeQuietly();
            }
            FileStatus status = directory.status();
            if (status.owner() != 0) {
                throw badRoot(root, roots, replicaPath, "is owned by user " + status.owner() + ", not by root; "
                        + "only a directory root owns can be a replica root");
            }
            NativeFile checked = directory;
            directory = null;
            return checked;
        } catch (NativeCallException e) {
            throw badRoot(root, roots, replicaPath, switch (e.errno()) {
                case NativeCallException.ELOOP -> "is a symbolic link or has one on its way (daxguard follows none "
                        + "in a replica root; configure the real path)";
                case NativeCallException.ENOENT -> "does not exist";
                case NativeCallException.ENOTDIR -> "is not a directory";
                default -> "cannot be opened: " + e.getMessage();
            });
        } finally {
            if (directory != null) {
                directory.closeQuietly();
            }
        }
    }

    private static IllegalArgumentException badRoot(LinuxPath root, List<LinuxPath> roots, String replicaPath,
                                                    String what) {
        return new IllegalArgumentException("restoreFrom: refused: the replica root " + root.display() + " (replica"
                + ".roots: " + roots.stream().map(LinuxPath::display).collect(Collectors.joining(", ")) + ") " + what
                + "; " + replicaPath + " was not looked at");
    }

    private static LinuxPath parse(String replicaPath) {
        LinuxPath path;
        try {
            path = LinuxPath.fromDisplay(replicaPath);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("restoreFrom: replicaPath \"" + replicaPath + "\" is not a path: "
                    + e.getMessage());
        }
        if (!path.isAbsolute() || path.components().contains(DOT) || path.components().contains(DOT_DOT)) {
            throw new IllegalArgumentException("restoreFrom: replicaPath must be absolute, without . or .. "
                    + "components; was \"" + replicaPath + "\"");
        }
        return path;
    }

    /** Whether {@code path} is below {@code root}, component by component (so {@code /backup2} is not in {@code /backup}). */
    private static boolean isUnder(LinuxPath path, LinuxPath root) {
        List<LinuxPath> inner = path.components();
        List<LinuxPath> outer = root.components();
        return inner.size() > outer.size() && inner.subList(0, outer.size()).equals(outer);
    }

    /** The one refusal for any path outside the roots: it names the roots, and nothing about the path's target. */
    private static IllegalArgumentException outsideRoots(List<LinuxPath> roots, String replicaPath) {
        if (roots.isEmpty()) {
            return new IllegalArgumentException("restoreFrom: refused: no replica roots are configured "
                    + "(replica.roots), so no replica can be read; " + replicaPath + " was not looked at");
        }
        return new IllegalArgumentException("restoreFrom: refused: replicas are read only from under the configured "
                + "replica roots (replica.roots: " + roots.stream().map(LinuxPath::display)
                .collect(Collectors.joining(", ")) + "); " + replicaPath + " is not under any and was not looked at");
    }

    private static void check(FileStatus status, FileStatus target, String replicaPath) {
        if (!status.isRegularFile()) {
            throw new IllegalArgumentException("restoreFrom: refused: replica " + replicaPath + " is not a regular file");
        }
        if (status.device().equals(target.device()) && status.inode() == target.inode()) {
            throw new IllegalArgumentException("restoreFrom: refused: replica " + replicaPath
                    + " is the damaged file itself");
        }
        if (status.size() != target.size()) {
            throw new IllegalArgumentException("restoreFrom: refused: replica " + replicaPath + " has " + status.size()
                    + " bytes, the damaged file " + target.size() + "; a replica must be the same size");
        }
    }

    private static String reason(NativeCallException e) {
        return switch (e.errno()) {
            case NativeCallException.ELOOP -> "a symbolic link is on its way (daxguard follows none; give the real "
                    + "path under the replica root)";
            case NativeCallException.ENOENT -> "it does not exist";
            default -> e.getMessage();
        };
    }

    private static LinuxPath joined(List<LinuxPath> components) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        for (LinuxPath component : components) {
            if (bytes.size() > 0) {
                bytes.write('/');
            }
            bytes.writeBytes(component.bytes());
        }
        return LinuxPath.of(bytes.toByteArray());
    }

    long size() {
        return size;
    }

    /** The opened replica, to copy from. */
    NativeFile descriptor() {
        return file;
    }

    /**
     * Whether the bytes of the damaged file read back at {@code offset} equal the replica's there (compared in
     * constant time). Past the replica's end nothing is compared.
     */
    boolean sameBytes(long offset, byte[] restored, int length) throws IOException {
        int within = (int) Math.max(0, Math.min(length, size - offset));
        byte[] expected = new byte[within];
        if (RangeIo.read(file, offset, expected, within) != within) {
            throw new IOException("replica " + shown + " ended before byte " + (offset + within) + ": it changed size");
        }
        return MessageDigest.isEqual(expected, java.util.Arrays.copyOf(restored, within));
    }

    /**
     * Refuses a replica whose whole content's SHA-256 is not {@code expected}, the one its provider recorded: the copy
     * rotted or was changed since, and restoring from it would write bad data as good.
     */
    void requireSha256(String expected, String provider) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("unreachable: every JDK has SHA-256", e);
        }
        byte[] chunk = new byte[SHA256_CHUNK];
        for (long offset = 0; offset < size; ) {
            int wanted = (int) Math.min(chunk.length, size - offset);
            if (RangeIo.read(file, offset, chunk, wanted) != wanted) {
                throw new IOException("replica " + shown + " ended before byte " + (offset + wanted)
                        + ": it changed size");
            }
            digest.update(chunk, 0, wanted);
            offset += wanted;
        }
        String actual = java.util.HexFormat.of().formatHex(digest.digest());
        if (!actual.equalsIgnoreCase(expected)) {
            throw new IllegalStateException("refused: replica " + shown + " has SHA-256 " + actual + ", not the "
                    + expected.toLowerCase(java.util.Locale.ROOT) + " replica provider " + provider
                    + " recorded for it: the copy is not good; nothing written");
        }
    }

    @Override
    public void close() {
        file.closeQuietly();
    }
}
