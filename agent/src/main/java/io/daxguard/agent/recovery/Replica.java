package io.daxguard.agent.recovery;

import io.daxguard.spi.linux.FileStatus;
import io.daxguard.spi.linux.NativeCallException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * A replica a damaged file is restored from, checked before a byte is copied: an absolute path with no
 * symbolic link anywhere on it, a regular file, not the damaged file itself, of the same size.
 */
final class Replica {
    private final Path path;
    private final long size;

    private Replica(Path path, long size) {
        this.path = path;
        this.size = size;
    }

    /** Checks {@code replicaPath} against the damaged file's status. */
    static Replica check(String replicaPath, FileStatus target) throws IOException {
        if (replicaPath == null || replicaPath.isBlank()) {
            throw new IllegalArgumentException("restoreFrom: replicaPath is empty; give the absolute path of a good copy");
        }
        Path path = Path.of(replicaPath);
        if (!path.isAbsolute()) {
            throw new IllegalArgumentException("restoreFrom: replicaPath must be absolute, was \"" + replicaPath + "\"");
        }
        FileStatus status;
        try {
            status = FileStatus.ofPathNoFollow(path);
        } catch (NativeCallException e) {
            throw new IllegalArgumentException("restoreFrom: cannot use replica " + replicaPath + ": " + e.getMessage());
        }
        if (status.isSymbolicLink()) {
            throw new IllegalArgumentException("restoreFrom: refused: replica " + replicaPath + " is a symbolic link; "
                    + "daxguard follows none, give the real file");
        }
        Path real = path.toRealPath();
        if (!real.equals(path.normalize())) {
            throw new IllegalArgumentException("restoreFrom: refused: replica " + replicaPath + " has a symbolic link on "
                    + "its way (it resolves to " + real + "); give the real path");
        }
        if (!status.isRegularFile()) {
            throw new IllegalArgumentException("restoreFrom: refused: replica " + replicaPath + " is not a regular file");
        }
        if (status.device().equals(target.device()) && status.inode() == target.inode()) {
            throw new IllegalArgumentException("restoreFrom: refused: replica " + replicaPath + " is the damaged file itself");
        }
        if (status.size() != target.size()) {
            throw new IllegalArgumentException("restoreFrom: refused: replica " + replicaPath + " has " + status.size()
                    + " bytes, the damaged file " + target.size() + "; a replica must be the same size");
        }
        return new Replica(path, status.size());
    }

    long size() {
        return size;
    }

    /** The replica's bytes of {@code range}; opened without following a symlink put there since the check. */
    byte[] read(PageRange range) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer buffer = ByteBuffer.allocate(Math.toIntExact(range.length()));
            while (buffer.hasRemaining()) {
                if (channel.read(buffer, range.start() + buffer.position()) < 0) {
                    throw new IOException("replica " + path + " ended at " + (range.start() + buffer.position())
                            + " while " + range + " was read: it changed size");
                }
            }
            return buffer.array();
        }
    }

    /** Whether {@code restored} (read back from the damaged file) has the replica's SHA-256 over {@code range}. */
    boolean sameBytes(PageRange range, byte[] restored) throws IOException {
        PageRange within = new PageRange(range.start(), Math.min(range.end(), size));
        byte[] expected = read(within);
        byte[] actual = Arrays.copyOf(restored, Math.min(restored.length, expected.length));
        return MessageDigest.isEqual(sha256(expected), sha256(actual));
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
