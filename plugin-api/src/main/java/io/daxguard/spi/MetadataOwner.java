package io.daxguard.spi;

import java.util.Objects;

/**
 * The filesystem's own metadata owns the range. Damage here is never repaired by daxguard: the
 * filesystem is unhealthy and {@link #repairHint} says what to run.
 *
 * @param kind           a stable name, {@code <fstype>.<structure>}, for example {@code "xfs.log"}
 * @param description    what an administrator reads, for example {@code "journalling log"}
 * @param repairHint     the offline repair to run, for example {@code "xfs_repair"}
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
