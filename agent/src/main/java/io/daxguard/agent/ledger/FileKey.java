package io.daxguard.agent.ledger;

import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.FileOwner;
import java.util.Objects;

/**
 * A file's identity: its filesystem's UUID, subvolume, inode and generation; never its path, which can change, nor the
 * mount point, which changes when the filesystem is mounted elsewhere.
 *
 * @param filesystemUuid the UUID of the filesystem holding the file: with inode and generation, the identity
 * @param mountPoint     where the filesystem was mounted when the file was seen (display form); not part of the
 *                       identity: two keys of one file seen under two mount points are equal, so a file's damage
 *                       recorded before and after a remount is one file's, and views follow the UUID to wherever
 *                       the filesystem is mounted now
 * @param inode          the inode number
 * @param generation     the inode's generation (an inode number is reused; the pair is not)
 * @param device         the device the file was seen on; like the mount point, not part of the identity: with
 *                       {@code medium} it tells which of two filesystems with one UUID (a clone) the file is on
 * @param medium         the identity of the disk the file was seen on ({@link DamageRecord#medium()}), empty when
 *                       unknown; not part of the identity
 * @param subvolume      the inode-number space of the inode ({@link FileOwner#subvolume()}: btrfs, the subvolume or
 *                       snapshot's root id; 0 on a filesystem with one): part of the identity, since one inode number
 *                       in two snapshots is two files
 */
public record FileKey(String filesystemUuid, String mountPoint, long inode, long generation, DeviceNumber device,
                      String medium, long subvolume) {
    /** The device of a key that was seen on none (audit entries). */
    public static final DeviceNumber NO_DEVICE = new DeviceNumber(0, 0);
    /** No file: for audit entries of actions on no file. */
    public static final FileKey NONE = new FileKey("", "", 0, 0);

    public FileKey {
        Objects.requireNonNull(filesystemUuid, "filesystemUuid is null");
        Objects.requireNonNull(mountPoint, "mountPoint is null");
        Objects.requireNonNull(device, "device is null");
        Objects.requireNonNull(medium, "medium is null");
        if (subvolume < 0) {
            throw new IllegalArgumentException("subvolume must not be negative, was " + subvolume);
        }
    }

    /** A file of a filesystem with one inode-number space (subvolume 0). */
    public FileKey(String filesystemUuid, String mountPoint, long inode, long generation, DeviceNumber device,
                   String medium) {
        this(filesystemUuid, mountPoint, inode, generation, device, medium, FileOwner.ONE_INODE_SPACE);
    }

    /** A key that says nothing of where the file was seen (audit entries), in subvolume {@code subvolume}. */
    public static FileKey inSubvolume(String filesystemUuid, String mountPoint, long subvolume, long inode,
                                      long generation) {
        return new FileKey(filesystemUuid, mountPoint, inode, generation, NO_DEVICE, "", subvolume);
    }

    /** A key that says nothing of where the file was seen (audit entries). */
    public FileKey(String filesystemUuid, String mountPoint, long inode, long generation) {
        this(filesystemUuid, mountPoint, inode, generation, NO_DEVICE, "");
    }

    /** This file as seen on the disk {@code medium}. */
    public FileKey onMedium(String medium) {
        return new FileKey(filesystemUuid, mountPoint, inode, generation, device, medium, subvolume);
    }

    /** Same file, whatever mount point each side was seen under: the same as {@link #equals}. */
    public boolean sameFile(FileKey other) {
        return filesystemUuid.equals(other.filesystemUuid) && subvolume == other.subvolume && inode == other.inode
                && generation == other.generation;
    }

    /** Equal when the same file: UUID, subvolume, inode and generation; where it was seen is left out on purpose. */
    @Override
    public boolean equals(Object other) {
        return other instanceof FileKey key && sameFile(key);
    }

    @Override
    public int hashCode() {
        return Objects.hash(filesystemUuid, subvolume, inode, generation);
    }
}
