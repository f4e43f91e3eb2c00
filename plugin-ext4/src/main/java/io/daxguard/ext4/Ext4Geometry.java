package io.daxguard.ext4;

import com.sun.jna.Memory;
import io.daxguard.support.linux.NativeFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * What daxguard reads of ext4's on-disk layout, through the block device's page cache (which is the cache
 * ext4 keeps its metadata in, so it sees what the mounted filesystem sees): the superblock, the inode table
 * of each group, and the journal's location. Only fields whose position never changes while mounted are
 * used; everything found here is re-checked against the live filesystem before it is reported.
 *
 * <pre>
 * superblock (at byte 1024)          offset   group descriptor          offset
 *   s_blocks_count_lo                  0x04     bg_inode_table_lo        0x08
 *   s_first_data_block                 0x14     bg_inode_table_hi        0x28 (64-byte descriptors)
 *   s_log_block_size                   0x18
 *   s_blocks_per_group                 0x20   inode                     offset
 *   s_inodes_per_group                 0x28     i_flags                  0x20 (EXTENTS_FL 0x80000)
 *   s_magic (0xef53)                   0x38     i_block[15] (60 bytes)   0x28
 *   s_inode_size                       0x58     i_generation             0x64
 *   s_feature_compat (HAS_JOURNAL 4)   0x5c     i_file_acl_lo            0x68
 *   s_feature_incompat (META_BG 0x10,  0x60     l_i_file_acl_high (u16)  0x76
 *     64BIT 0x80)                             i_mode 0x00, i_links_count 0x1a
 *   s_uuid[16]                         0x68
 *   s_feature_ro_compat (GDT_CSUM      0x64   group descriptor: bg_flags 0x12 (INODE_UNINIT 1),
 *     0x10, METADATA_CSUM 0x400)               bg_itable_unused_lo 0x1c, _hi 0x32
 *   s_journal_inum                     0xe0   extent header (12 bytes): magic 0xf30a u16, entries u16,
 *   s_jnl_backup_type (1 = i_block)    0xfd     max u16, depth u16; index entry (12): ei_block u32,
 *   s_desc_size                        0xfe     ei_leaf_lo u32, ei_leaf_hi u16; leaf (12): ee_block u32,
 *   s_blocks_count_hi                 0x150     ee_len u16, ee_start_hi u16, ee_start_lo u32
 *   s_jnl_blocks[17] (i_block copy)   0x10c
 * </pre>
 */
final class Ext4Geometry {
    static final int SUPERBLOCK_OFFSET = 1024;
    static final int SUPERBLOCK_SIZE = 1024;
    static final int EXTENT_MAGIC = 0xf30a;
    static final int EXTENTS_FL = 0x80000;
    private static final int INCOMPAT_META_BG = 0x10;
    private static final int INCOMPAT_64BIT = 0x80;
    private static final int COMPAT_HAS_JOURNAL = 0x4;

    final int blockSize;
    final long firstDataBlock;
    final long blocksCount;
    final long blocksPerGroup;
    final long inodesPerGroup;
    final int inodeSize;
    final int descriptorSize;
    final boolean metaBlockGroups;
    final long journalInode;
    /** The first inode a file may have (s_first_ino); lower ones are reserved, but for the root (2). */
    final long firstInode;
    /** Whether group descriptors count unused inodes reliably (GDT_CSUM or METADATA_CSUM). */
    final boolean groupChecksums;
    final long groups;
    /** s_uuid (0x68, 16 bytes), lower case with dashes. */
    final String uuid;
    /** Journal extents in bytes {start, end}; empty if unknown or external. */
    final List<long[]> journal;

    private Ext4Geometry(ByteBuffer superblock) {
        if ((superblock.getShort(0x38) & 0xffff) != 0xef53) {
            throw new IllegalArgumentException("not an ext4 superblock (magic " + Integer.toHexString(
                    superblock.getShort(0x38) & 0xffff) + ")");
        }
        blockSize = 1024 << superblock.getInt(0x18);
        firstDataBlock = superblock.getInt(0x14) & 0xffff_ffffL;
        int incompat = superblock.getInt(0x60);
        boolean wide = (incompat & INCOMPAT_64BIT) != 0;
        blocksCount = (superblock.getInt(0x04) & 0xffff_ffffL)
                | (wide ? (superblock.getInt(0x150) & 0xffff_ffffL) << 32 : 0);
        blocksPerGroup = superblock.getInt(0x20) & 0xffff_ffffL;
        inodesPerGroup = superblock.getInt(0x28) & 0xffff_ffffL;
        inodeSize = superblock.getShort(0x58) & 0xffff;
        descriptorSize = wide ? Math.max(32, superblock.getShort(0xfe) & 0xffff) : 32;
        metaBlockGroups = (incompat & INCOMPAT_META_BG) != 0;
        firstInode = superblock.getInt(0x54) & 0xffff_ffffL;
        groupChecksums = (superblock.getInt(0x64) & (0x10 | 0x400)) != 0;
        StringBuilder text = new StringBuilder(36);
        for (int i = 0; i < 16; i++) {
            if (i == 4 || i == 6 || i == 8 || i == 10) {
                text.append('-');
            }
            text.append(String.format("%02x", superblock.get(0x68 + i) & 0xff));
        }
        uuid = text.toString();
        groups = (blocksCount - firstDataBlock + blocksPerGroup - 1) / blocksPerGroup;
        boolean hasJournal = (superblock.getInt(0x5c) & COMPAT_HAS_JOURNAL) != 0;
        journalInode = hasJournal ? superblock.getInt(0xe0) & 0xffff_ffffL : 0;
        boolean backupInIBlock = superblock.get(0xfd) == 1;
        journal = journalInode != 0 && backupInIBlock ? leafExtents(superblock, 0x10c, blockSize) : List.of();
    }

    /** Parses a superblock (1024 bytes from device byte 1024). */
    static Ext4Geometry parse(byte[] superblock) {
        return new Ext4Geometry(ByteBuffer.wrap(superblock).order(ByteOrder.LITTLE_ENDIAN));
    }

    static Ext4Geometry read(NativeFile device) throws IOException {
        return parse(readBytes(device, SUPERBLOCK_OFFSET, SUPERBLOCK_SIZE));
    }

    static byte[] readBytes(NativeFile device, long offset, int length) throws IOException {
        try (Memory buffer = new Memory(length)) {
            long read = device.pread(buffer, length, offset);
            if (read != length) {
                throw new IOException("short read of " + device.name() + " at " + offset + ": " + read + " of "
                        + length + " bytes");
            }
            return buffer.getByteArray(0, length);
        }
    }

    /**
     * The extents of a depth-0 extent tree rooted in 60 bytes at {@code at} (an inode's i_block, or the
     * superblock's copy of the journal's), in bytes {start, end}; empty when the tree is deeper or absent.
     */
    static List<long[]> leafExtents(ByteBuffer buffer, int at, int blockSize) {
        List<long[]> extents = new ArrayList<>();
        if ((buffer.getShort(at) & 0xffff) != EXTENT_MAGIC || buffer.getShort(at + 6) != 0) {
            return extents;
        }
        int entries = Math.min(4, buffer.getShort(at + 2) & 0xffff);
        for (int i = 0; i < entries; i++) {
            int entry = at + 12 + 12 * i;
            int length = buffer.getShort(entry + 4) & 0xffff;
            if (length > 32768) {
                length -= 32768; // unwritten extent
            }
            long start = ((buffer.getShort(entry + 6) & 0xffffL) << 32) | (buffer.getInt(entry + 8) & 0xffff_ffffL);
            extents.add(new long[] {start * blockSize, (start + length) * blockSize});
        }
        return extents;
    }
}
