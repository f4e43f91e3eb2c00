package io.daxguard.ext4;

import io.daxguard.support.index.ExtentFlags;
import io.daxguard.support.index.ExtraExtentSource;
import io.daxguard.support.linux.FileGeneration;
import io.daxguard.support.linux.NativeFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The blocks of an ext4 file that FIEMAP does not show: the index and interior blocks of its extent tree
 * ({@link ExtentFlags#EXTENT_MAP}), and its xattr block ({@code i_file_acl}), which FIEMAP_FLAG_XATTR hides
 * whenever the inode also holds attributes itself (always so with inline data). Read from the inode and
 * the tree blocks through the device's page cache ({@link Ext4Geometry}); an inode whose on-disk generation
 * differs from the open file's is skipped (it was being reused). An xattr block whose header counts more
 * than one reference (ext4 shares identical ones) is marked {@link ExtentFlags#SHARED}. Thread-safe.
 *
 * <p>Block-mapped (ext2/ext3 style) files: their indirect blocks are reported as {@link ExtentFlags#EXTENT_MAP}.
 * Not handled: {@code meta_bg} filesystems (group descriptors scattered; nothing is reported).
 */
final class Ext4ExtraExtents implements ExtraExtentSource {
    private static final int INODE_BYTES = 0x80;
    private static final int MAX_DEPTH = 5;
    private static final int INLINE_DATA_FL = 0x10000000;

    private final Ext4Device device;
    private final Ext4Geometry geometry;
    private final AtomicLongArray inodeTables;

    Ext4ExtraExtents(Ext4Device device, Ext4Geometry geometry) {
        this.device = device;
        this.geometry = geometry;
        long groups = (geometry.blocksCount - geometry.firstDataBlock + geometry.blocksPerGroup - 1)
                / geometry.blocksPerGroup;
        this.inodeTables = new AtomicLongArray((int) Math.min(groups, 1 << 24));
    }

    @Override
    public void visit(long inode, NativeFile file, Sink sink) throws IOException {
        if (geometry.metaBlockGroups || inode < 1) {
            return;
        }
        long group = (inode - 1) / geometry.inodesPerGroup;
        long indexInGroup = (inode - 1) % geometry.inodesPerGroup;
        long table = inodeTable(group);
        if (table <= 0) {
            return;
        }
        ByteBuffer raw = read(table * geometry.blockSize + indexInGroup * geometry.inodeSize, INODE_BYTES);
        long generation = raw.getInt(0x64) & 0xffff_ffffL;
        if (generation != FileGeneration.of(file)) {
            return;
        }
        long acl = (raw.getInt(0x68) & 0xffff_ffffL) | ((raw.getShort(0x76) & 0xffffL) << 32);
        if (acl != 0 && acl < geometry.blocksCount) {
            // Identical xattr blocks are shared between inodes (h_refcount at 4 in the block header).
            long references = read(acl * geometry.blockSize, 8).getInt(4) & 0xffff_ffffL;
            sink.extent(acl * geometry.blockSize, geometry.blockSize,
                    ExtentFlags.ATTRIBUTES | (references > 1 ? ExtentFlags.SHARED : 0));
        }
        int flags = raw.getInt(0x20);
        if ((flags & Ext4Geometry.EXTENTS_FL) != 0) {
            visitIndexBlocks(raw, 0x28, 4, sink, 0);
        } else if ((flags & INLINE_DATA_FL) == 0) {
            Ext4BlockMap.walk(raw, 0x28, this::read, geometry.blockSize, geometry.blocksCount, new Ext4BlockMap.Sink() {
                @Override
                public void data(long logicalBlock, long physicalBlock, long count) {
                    // data is confirmed by FIEMAP, not here
                }

                @Override
                public void indirect(long physicalBlock) {
                    sink.extent(physicalBlock * geometry.blockSize, geometry.blockSize, ExtentFlags.EXTENT_MAP);
                }
            });
        }
    }

    /** Reports and descends the children of an index node whose header is at {@code at}. */
    private void visitIndexBlocks(ByteBuffer node, int at, int room, Sink sink, int level) throws IOException {
        if ((node.getShort(at) & 0xffff) != Ext4Geometry.EXTENT_MAGIC || level > MAX_DEPTH) {
            return;
        }
        int depth = node.getShort(at + 6) & 0xffff;
        if (depth == 0) {
            return;
        }
        int entries = node.getShort(at + 2) & 0xffff;
        for (int i = 0; i < Math.min(entries, room); i++) {
            int entry = at + 12 + 12 * i;
            long child = (node.getInt(entry + 4) & 0xffff_ffffL) | ((node.getShort(entry + 8) & 0xffffL) << 32);
            if (child <= 0 || child >= geometry.blocksCount) {
                continue;
            }
            sink.extent(child * geometry.blockSize, geometry.blockSize, ExtentFlags.EXTENT_MAP);
            if (depth > 1) {
                visitIndexBlocks(read(child * geometry.blockSize, geometry.blockSize), 0,
                        (geometry.blockSize - 12) / 12, sink, level + 1);
            }
        }
    }

    private long inodeTable(long group) throws IOException {
        if (group >= inodeTables.length()) {
            return readInodeTable(group);
        }
        long cached = inodeTables.get((int) group);
        if (cached == 0) {
            cached = readInodeTable(group);
            inodeTables.set((int) group, cached);
        }
        return cached;
    }

    private long readInodeTable(long group) throws IOException {
        long descriptors = (geometry.firstDataBlock + 1) * geometry.blockSize;
        ByteBuffer descriptor = read(descriptors + group * geometry.descriptorSize, geometry.descriptorSize);
        long low = descriptor.getInt(0x08) & 0xffff_ffffL;
        long high = geometry.descriptorSize >= 64 ? descriptor.getInt(0x28) & 0xffff_ffffL : 0;
        return low | (high << 32);
    }

    private ByteBuffer read(long offset, int length) throws IOException {
        return ByteBuffer.wrap(device.read(offset, length)).order(ByteOrder.LITTLE_ENDIAN);
    }
}
