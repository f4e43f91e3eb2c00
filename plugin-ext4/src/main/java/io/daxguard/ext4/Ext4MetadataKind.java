package io.daxguard.ext4;

import io.daxguard.spi.MetadataOwner;
import io.daxguard.spi.Mount;
import io.daxguard.support.linux.FsmapRecord;
import java.util.Optional;

/**
 * The metadata ext4's GETFSMAP names, plus the journal and the resize inode's block, which it reports as
 * unknown and daxguard locates from the superblock and inode 7.
 */
enum Ext4MetadataKind {
    SUPERBLOCK(FsmapRecord.owner('X', 1), "ext4.superblock", "superblock", Repair.SUPERBLOCK),
    JOURNAL(FsmapRecord.owner('X', 2), "ext4.journal", "journal", Repair.JOURNAL),
    INODE_TABLE(FsmapRecord.owner('X', 5), "ext4.inode_table", "inode table", Repair.CHECK),
    GROUP_DESCRIPTORS(FsmapRecord.owner('f', 1), "ext4.group_descriptors", "block group descriptors", Repair.CHECK),
    RESERVED_GDT(FsmapRecord.owner('f', 2), "ext4.reserved_gdt", "reserved group descriptor blocks", Repair.CHECK),
    BLOCK_BITMAP(FsmapRecord.owner('f', 3), "ext4.block_bitmap", "block bitmap", Repair.CHECK),
    INODE_BITMAP(FsmapRecord.owner('f', 4), "ext4.inode_bitmap", "inode bitmap", Repair.CHECK),
    /** A block of the resize inode (7), which maps the reserved GDT blocks, where GETFSMAP calls it unknown. */
    RESIZE_INODE(-1, "ext4.resize_inode", "resize inode block (maps the reserved group descriptor blocks)",
            Repair.CHECK),
    /**
     * The 1,024 bytes before the superblock of a filesystem of 1 KiB blocks (block 0, before the first data block),
     * where GETFSMAP calls them unknown; with larger blocks they share block 0 with the superblock.
     */
    BOOT_BLOCK(-2, "ext4.boot_block", "boot block (the 1,024 bytes before the superblock, which ext4 does not use)",
            Repair.NONE);

    /** What e2fsck needs besides a forced check with the bad-block list, by kind of structure. */
    private enum Repair {
        /** Structures e2fsck checks and rebuilds from the others. */
        CHECK,
        /**
         * e2fsck turns to a backup superblock by itself for a superblock it read and found bad, not for one it
         * cannot read (EIO): it then stops and asks for {@code -b}.
         */
        SUPERBLOCK,
        /** A journal e2fsck cannot replay is cleared (it asks), and the updates still in it are lost. */
        JOURNAL,
        /** Bytes the filesystem does not read: only a boot loader kept there would be lost. */
        NONE
    }

    private final long fsmapOwner;
    private final String kind;
    private final String description;
    private final Repair repair;

    Ext4MetadataKind(long fsmapOwner, String kind, String description, Repair repair) {
        this.fsmapOwner = fsmapOwner;
        this.kind = kind;
        this.description = description;
        this.repair = repair;
    }

    /** The kind of a GETFSMAP special owner, if it is metadata. */
    static Optional<Ext4MetadataKind> of(long fsmapOwner) {
        for (Ext4MetadataKind each : values()) {
            if (each.fsmapOwner == fsmapOwner) {
                return Optional.of(each);
            }
        }
        return Optional.empty();
    }

    /**
     * The hint of {@code damaged} (ext4 metadata named earlier, perhaps under another mount) as it reads for
     * {@code mount}; a kind this plugin does not make keeps its hint as written.
     */
    static String repairHintNow(MetadataOwner damaged, Mount mount) {
        for (Ext4MetadataKind each : values()) {
            if (each.kind.equals(damaged.kind())) {
                return each.repairHint(mount);
            }
        }
        return damaged.repairHint();
    }

    String kind() {
        return kind;
    }

    /**
     * What an administrator does about damage here, as one sentence naming the filesystem's mount point and device
     * (its mount source), with the bad-block list the Filesystem MBean offers ({@link BadBlockList}).
     */
    String repairHint(Mount mount) {
        String check = "Unmount " + mount.mountPoint() + " and run e2fsck -f -l FILE " + mount.source()
                + ", with FILE holding the Filesystem MBean's badBlockList";
        return switch (repair) {
            case CHECK -> check + ".";
            case SUPERBLOCK -> check + "; if e2fsck cannot read the superblock, add -b and the block number of a"
                    + " backup superblock (mke2fs -n with the filesystem's parameters lists them).";
            case JOURNAL -> check + "; if it cannot replay the journal, it offers to clear it, which loses the"
                    + " updates the journal still held.";
            case NONE -> "Nothing of " + mount.mountPoint() + " is lost: ext4 does not read these bytes; a boot loader"
                    + " installed there must be installed again.";
        };
    }

    MetadataOwner owner(Mount mount, long physicalOffset, long length) {
        return new MetadataOwner(kind, description, repairHint(mount), physicalOffset, length);
    }
}
