package io.daxguard.spi;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Supplies a good copy of a damaged file, for the agent's {@code restoreFromReplica()}: a vendor's backup,
 * a mirror, a snapshot. The agent checks what it is given (a different regular file of the same size, no
 * symlink on the way) and copies only the damaged ranges from it.
 *
 * <p>Implementations must be thread-safe; a call may block on I/O but should answer in seconds.
 */
public interface ReplicaProvider {

    /** A short name for messages and the audit trail, for example {@code mirror}. */
    String name();

    /**
     * Where the good copy of a file is.
     *
     * @param mountPoint   the damaged file's filesystem, where it is mounted
     * @param path         the damaged file's path inside that filesystem, starting with {@code /}
     * @param inode        its inode
     * @param generation   its inode generation
     * @return the replica's absolute path, or empty when this provider has no copy of the file
     */
    Optional<Path> replicaOf(Path mountPoint, String path, long inode, long generation) throws IOException;

    /**
     * The SHA-256 of the whole good copy at {@code replica} (an answer of {@link #replicaOf}) as this provider recorded
     * it when the copy was made: a backup catalogue's, a manifest's. When there is one the agent reads the whole
     * replica and copies nothing from it unless it matches, so a copy that rotted since is never restored from.
     *
     * @return 64 hexadecimal digits, or empty (the default) when this provider records none
     */
    default Optional<String> sha256Of(Path replica) throws IOException {
        return Optional.empty();
    }
}
