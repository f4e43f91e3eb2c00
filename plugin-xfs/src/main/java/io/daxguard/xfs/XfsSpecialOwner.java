package io.daxguard.xfs;

import io.daxguard.spi.MetadataOwner;
import io.daxguard.spi.Mount;
import io.daxguard.support.linux.FsmapRecord;
import java.util.Optional;

/**
 * The XFS special owners GETFSMAP reports ({@code XFS_FMR_OWN_*} in {@code xfs_fs.h}), named as daxguard reports
 * them in {@link io.daxguard.spi.MetadataOwner}, with what an administrator should run when one is damaged.
 */
enum XfsSpecialOwner {
    /** {@code XFS_RMAP_OWN_FS}: the first sectors of every AG, its headers (superblock, AGF, AGI, AGFL). */
    STATIC(1, "xfs.static", "static fs metadata (superblock and AG headers: AGF, AGI, AGFL)", Repair.OFFLINE),
    LOG(2, "xfs.log", "journalling log", Repair.LOG),
    /**
     * {@code XFS_RMAP_OWN_AG}: the blocks of the free-space (bnobt, cntbt) and reverse-map btrees and the free blocks
     * the AGFL holds for them; not the AG headers, which are {@link #STATIC}. Named {@code xfs.ag-headers} until
     * 2026-12-04: ledger records of that name are this kind ({@link #repairHintNow}).
     */
    AG_METADATA(3, "xfs.ag-metadata", "per-AG metadata (free-space and reverse-map btrees, AGFL blocks)",
            Repair.OFFLINE),
    INODE_BTREE(4, "xfs.inobt", "inode btree", Repair.OFFLINE),
    INODES(5, "xfs.inodes", "inodes", Repair.OFFLINE),
    REFCOUNT_BTREE(6, "xfs.refcountbt", "reference count btree", Repair.OFFLINE),
    COW_STAGING(7, "xfs.cow", "CoW staging extents", Repair.COW),
    DEFECTIVE(8, "xfs.defective", "defective blocks", Repair.OFFLINE);

    /** What to do, by kind of structure; the mount point and device are filled in by {@link #repairHint(Mount)}. */
    private enum Repair {
        /** Every structure xfs_repair rebuilds or cross-checks from the others. */
        OFFLINE,
        /**
         * A damaged log: xfs_repair refuses a dirty log, mounting replays it; only when replay fails is zeroing it
         * with -L the way out, and that loses the metadata updates still in it.
         */
        LOG,
        /** Staging blocks hold data of writes in flight; mounting or xfs_repair frees leftover ones. */
        COW
    }

    /** The kind of metadata GETFSMAP names only as {@code XFS_FMR_OWN_METADATA}, or that has no kind of its own. */
    static final String GENERIC_KIND = "xfs.metadata";

    /** What {@link #AG_METADATA} was called before 2026-12-04, as older ledger records name it. */
    static final String FORMER_AG_METADATA_KIND = "xfs.ag-headers";

    private final int code;
    private final String kind;
    private final String description;
    private final Repair repair;

    XfsSpecialOwner(int code, String kind, String description, Repair repair) {
        this.code = code;
        this.kind = kind;
        this.description = description;
        this.repair = repair;
    }

    /** The {@code fmr_owner} value, {@code FMR_OWNER('X', code)}. */
    long owner() {
        return FsmapRecord.owner('X', code);
    }

    String kind() {
        return kind;
    }

    String description() {
        return description;
    }

    /**
     * What an administrator does about damage here, as one sentence naming the filesystem's mount point and device
     * (its mount source).
     */
    String repairHint(Mount mount) {
        String device = mount.source();
        return switch (repair) {
            case OFFLINE -> offlineRepairHint(mount);
            case LOG -> unmountAndRun(mount) + "; if mounting cannot replay the log, xfs_repair -L " + device
                    + " zeroes it, which loses the metadata changes it still held.";
            case COW -> unmountAndRun(mount) + "; leftover CoW staging extents are freed at the next mount, but"
                    + " writes in flight to shared blocks may have been lost.";
        };
    }

    /**
     * The hint of {@code damaged} (XFS metadata named earlier, perhaps under another mount) as it reads for
     * {@code mount}; a kind this plugin does not make keeps its hint as written.
     */
    static String repairHintNow(MetadataOwner damaged, Mount mount) {
        if (damaged.kind().equals(GENERIC_KIND)) {
            return offlineRepairHint(mount);
        }
        return ofKind(damaged.kind()).map(special -> special.repairHint(mount)).orElse(damaged.repairHint());
    }

    /** The special owner daxguard names {@code kind}, under its name now or a former one. */
    static Optional<XfsSpecialOwner> ofKind(String kind) {
        if (kind.equals(FORMER_AG_METADATA_KIND)) {
            return Optional.of(AG_METADATA);
        }
        for (XfsSpecialOwner special : values()) {
            if (special.kind.equals(kind)) {
                return Optional.of(special);
            }
        }
        return Optional.empty();
    }

    /** What to do about damaged metadata xfs_repair checks and rebuilds, as {@link #repairHint(Mount)}. */
    static String offlineRepairHint(Mount mount) {
        return unmountAndRun(mount) + " (xfs_repair -n " + mount.source() + " first shows what it would change).";
    }

    private static String unmountAndRun(Mount mount) {
        return "Unmount " + mount.mountPoint() + " and run xfs_repair " + mount.source();
    }

    /** The special owner of a GETFSMAP record, if it is one of XFS's own. */
    static Optional<XfsSpecialOwner> of(long owner) {
        for (XfsSpecialOwner special : values()) {
            if (special.owner() == owner) {
                return Optional.of(special);
            }
        }
        return Optional.empty();
    }
}
