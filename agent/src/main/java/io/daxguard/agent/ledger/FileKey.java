package io.daxguard.agent.ledger;

import java.util.Objects;

/** A file's identity: filesystem, inode and generation; never its path, which can change. */
public record FileKey(String filesystemUuid, String mountPoint, long inode, long generation) {
    /** No file: for audit entries of actions on no file. */
    public static final FileKey NONE = new FileKey("", "", 0, 0);

    public FileKey {
        Objects.requireNonNull(filesystemUuid, "filesystemUuid is null");
        Objects.requireNonNull(mountPoint, "mountPoint is null");
    }

    /** Same file, whatever mount point each side was seen under. */
    public boolean sameFile(FileKey other) {
        return filesystemUuid.equals(other.filesystemUuid) && inode == other.inode && generation == other.generation;
    }
}
