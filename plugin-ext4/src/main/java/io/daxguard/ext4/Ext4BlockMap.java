package io.daxguard.ext4;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The ext2/ext3-style block map of an inode without {@code EXTENTS_FL}: {@code i_block[0..11]} point at data
 * blocks, {@code i_block[12]}, {@code [13]}, {@code [14]} at single, double and triple indirect blocks of
 * 32-bit block numbers (0 is a hole). Reports runs of consecutive data blocks and every indirect block.
 */
final class Ext4BlockMap {
    private static final int DIRECT = 12;

    /** Reads {@code length} bytes at a device byte offset. */
    @FunctionalInterface
    interface Reader {
        ByteBuffer read(long offset, int length) throws IOException;
    }

    /** Receives what the map holds, in file order; blocks are filesystem block numbers. */
    interface Sink {
        void data(long logicalBlock, long physicalBlock, long count);

        void indirect(long physicalBlock);
    }

    private final Reader reader;
    private final int blockSize;
    private final long blocksCount;
    private final Sink sink;
    private long runLogical = -1;
    private long runPhysical;
    private long runCount;

    private Ext4BlockMap(Reader reader, int blockSize, long blocksCount, Sink sink) {
        this.reader = reader;
        this.blockSize = blockSize;
        this.blocksCount = blocksCount;
        this.sink = sink;
    }

    /** Walks the map whose 15 pointers start at {@code at} in {@code inode}. */
    static void walk(ByteBuffer inode, int at, Reader reader, int blockSize, long blocksCount, Sink sink)
            throws IOException {
        Ext4BlockMap map = new Ext4BlockMap(reader, blockSize, blocksCount, sink);
        for (int i = 0; i < DIRECT; i++) {
            map.data(i, inode.getInt(at + 4 * i) & 0xffff_ffffL);
        }
        long perBlock = blockSize / 4;
        long logical = DIRECT;
        for (int level = 1; level <= 3; level++) {
            map.indirect(inode.getInt(at + 4 * (DIRECT + level - 1)) & 0xffff_ffffL, level, logical);
            logical += (long) Math.pow(perBlock, level);
        }
        map.flush();
    }

    private void indirect(long block, int level, long firstLogical) throws IOException {
        if (block == 0 || block >= blocksCount) {
            return;
        }
        sink.indirect(block);
        ByteBuffer pointers = reader.read(block * blockSize, blockSize);
        long span = (long) Math.pow(blockSize / 4, level - 1);
        for (int i = 0; i < blockSize / 4; i++) {
            long child = pointers.getInt(4 * i) & 0xffff_ffffL;
            if (level == 1) {
                data(firstLogical + i, child);
            } else {
                indirect(child, level - 1, firstLogical + i * span);
            }
        }
    }

    private void data(long logical, long physical) {
        if (physical == 0 || physical >= blocksCount) {
            return;
        }
        if (runLogical >= 0 && logical == runLogical + runCount && physical == runPhysical + runCount) {
            runCount++;
            return;
        }
        flush();
        runLogical = logical;
        runPhysical = physical;
        runCount = 1;
    }

    private void flush() {
        if (runLogical >= 0) {
            sink.data(runLogical, runPhysical, runCount);
            runLogical = -1;
        }
    }
}
