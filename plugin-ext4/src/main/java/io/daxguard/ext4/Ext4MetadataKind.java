package io.daxguard.ext4;

import io.daxguard.spi.MetadataOwner;
import io.daxguard.spi.linux.FsmapRecord;
import java.util.Optional;

/**
 * The metadata ext4's GETFSMAP names, plus the journal and the resize inode's block, which it reports as
 * unknown and daxguard locates from the superblock and inode 7.
 */
enum Ext4MetadataKind {
    SUPERBLOCK(FsmapRecord.owner('X', 1), "ext4.superblock", "superblock"),
    JOURNAL(FsmapRecord.owner('X', 2), "ext4.journal", "journal"),
    INODE_TABLE(FsmapRecord.owner('X', 5), "ext4.inode_table", "inode table"),
    GROUP_DESCRIPTORS(FsmapRecord.owner('f', 1), "ext4.group_descriptors", "block group descriptors"),
    RESERVED_GDT(FsmapRecord.owner('f', 2), "ext4.reserved_gdt", "reserved group descriptor blocks"),
    BLOCK_BITMAP(FsmapRecord.owner('f', 3), "ext4.block_bitmap", "block bitmap"),
    INODE_BITMAP(FsmapRecord.owner('f', 4), "ext4.inode_bitmap", "inode bitmap"),
    /** A block of the resize inode (7), which maps the reserved GDT blocks, where GETFSMAP calls it unknown. */
    RESIZE_INODE(-1, "ext4.resize_inode", "resize inode block (maps the reserved group descriptor blocks)");

    /** What an administrator runs, with the bad-block list the Filesystem MBean offers ({@link BadBlockList}). */
    static final String REPAIR_HINT = "unmount, then e2fsck -f -l <bad-block list> <device>";

    private final long fsmapOwner;
    private final String kind;
    private final String description;

    Ext4MetadataKind(long fsmapOwner, String kind, String description) {
        this.fsmapOwner = fsmapOwner;
        this.kind = kind;
        this.description = description;
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

    String kind() {
        return kind;
    }

    MetadataOwner owner(long physicalOffset, long length) {
        return new MetadataOwner(kind, description, REPAIR_HINT, physicalOffset, length);
    }
}
