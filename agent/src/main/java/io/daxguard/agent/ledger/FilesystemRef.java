package io.daxguard.agent.ledger;

import io.daxguard.spi.DeviceNumber;
import java.util.Objects;

/**
 * The filesystem an owner belongs to, as it was when the damage was found. Its identity is the UUID (a filesystem
 * re-made on the same device has another one); the device and the mount point are where it was seen then. A UUID
 * is not unique on a host (a clone on another disk), so views follow the UUID on the record's disk to wherever it is
 * mounted now ({@code AttachedFilesystem.holds}).
 *
 * @param uuid       the filesystem's UUID as its plugin read it
 * @param device     the block device it was resolved on
 * @param mountPoint where it was mounted when the damage was found
 * @param type       the filesystem type, for example {@code xfs}
 */
public record FilesystemRef(String uuid, DeviceNumber device, String mountPoint, String type) {
    public FilesystemRef {
        Objects.requireNonNull(uuid, "uuid is null");
        Objects.requireNonNull(device, "device is null");
        Objects.requireNonNull(mountPoint, "mountPoint is null");
        Objects.requireNonNull(type, "type is null");
    }

    /** Whether this is the same filesystem as {@code other}, wherever each was mounted. */
    public boolean sameFilesystem(FilesystemRef other) {
        return uuid.equals(other.uuid);
    }
}
