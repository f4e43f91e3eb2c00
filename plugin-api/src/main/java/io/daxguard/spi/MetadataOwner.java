package io.daxguard.spi;

import java.util.Objects;

/**
 * The filesystem's own metadata owns the range. Damage here is never repaired by daxguard: the
 * filesystem is unhealthy and {@link #repairHint} says what to run.
 *
 * @param kind           a stable name, {@code <fstype>.<structure>}, for example {@code "xfs.log"}
 * @param description    what an administrator reads, for example {@code "journalling log"}
 * @param repairHint     what an administrator does about it, as one or more whole sentences naming the mount point and
 *                       device, shown as written: for example {@code "Unmount /mnt/data and run xfs_repair /dev/sdb1
 *                       (xfs_repair -n /dev/sdb1 first shows what it would change)."}
 */
public record MetadataOwner(String kind, String description, String repairHint, long physicalOffset,
                            long length) implements Owner {
    public MetadataOwner {
        Objects.requireNonNull(kind, "kind is null");
        Objects.requireNonNull(description, "description is null");
        Objects.requireNonNull(repairHint, "repairHint is null");
        Owner.checkRange(physicalOffset, length);
    }
}
