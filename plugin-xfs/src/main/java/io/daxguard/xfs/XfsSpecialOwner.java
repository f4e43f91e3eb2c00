package io.daxguard.xfs;

import io.daxguard.spi.linux.FsmapRecord;
import java.util.Optional;

/**
 * The XFS special owners GETFSMAP reports ({@code XFS_FMR_OWN_*} in {@code xfs_fs.h}), named as daxguard reports
 * them in {@link io.daxguard.spi.MetadataOwner}, with what an administrator should run when one is damaged.
 */
enum XfsSpecialOwner {
    STATIC(1, "xfs.static", "static fs metadata (superblock)", Repair.OFFLINE),
    LOG(2, "xfs.log", "journalling log", Repair.LOG),
    AG_HEADERS(3, "xfs.ag-headers", "per-AG metadata (AG headers, free space btrees, AGFL)", Repair.OFFLINE),
    INODE_BTREE(4, "xfs.inobt", "inode btree", Repair.OFFLINE),
    INODES(5, "xfs.inodes", "inodes", Repair.OFFLINE),
    REFCOUNT_BTREE(6, "xfs.refcountbt", "reference count btree", Repair.OFFLINE),
    COW_STAGING(7, "xfs.cow", "CoW staging extents", Repair.COW),
    DEFECTIVE(8, "xfs.defective", "defective blocks", Repair.OFFLINE);

    /** What to do, by kind of structure; the device is filled in by {@link #repairHint(String)}. */
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

    /** The repair to run on {@code device} (the mount source), phrased for an operator. */
    String repairHint(String device) {
        return switch (repair) {
            case OFFLINE -> offlineRepairHint(device);
            case LOG -> "xfs_repair " + device + " after unmounting; if mounting cannot replay the log, xfs_repair -L "
                    + device + " zeroes it and loses the metadata changes it still held";
            case COW -> "xfs_repair " + device + " (after unmounting); leftover CoW staging extents are freed at the"
                    + " next mount, but writes in flight to shared blocks may have been lost";
        };
    }

    /** What to run for damaged metadata xfs_repair checks and rebuilds. */
    static String offlineRepairHint(String device) {
        return "xfs_repair " + device + " (after unmounting; run xfs_repair -n first to see what it would change)";
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
