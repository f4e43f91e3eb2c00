package io.daxguard.agent.ledger;

import java.util.Objects;

/** A file's identity: filesystem, inode and generation; never its path, which can change. */
public record FileKey(String filesystemUuid, String mountPoint, long inode, long generation) {
    public FileKey {
        Objects.requireNonNull(filesystemUuid, "filesystemUuid is null");
        Objects.requireNonNull(mountPoint, "mountPoint is null");
    }
}
