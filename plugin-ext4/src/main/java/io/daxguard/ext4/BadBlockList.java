package io.daxguard.ext4;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Damaged byte ranges as the list of filesystem block numbers {@code e2fsck -l} (and {@code badblocks -o})
 * reads: one decimal block number per line, ascending, each once. Every block a damaged byte falls into is
 * listed. Pure; the Filesystem MBean of an ext4 filesystem offers its text.
 */
public final class BadBlockList {
    private final long[] blocks;

    private BadBlockList(long[] blocks) {
        this.blocks = blocks;
    }

    /** A damaged range, filesystem-relative bytes. */
    public record Range(long offset, long length) {
        public Range {
            if (offset < 0 || length <= 0) {
                throw new IllegalArgumentException("range must be non-negative and non-empty, was " + offset + "+"
                        + length);
            }
        }
    }

    /**
     * The blocks of {@code blockSize} bytes touched by the ranges.
     *
     * @throws IllegalArgumentException when the block size is not a power of two, or the ranges would list more
     *         than {@code maxBlocks} blocks (a whole-device failure is not a bad-block list)
     */
    public static BadBlockList of(int blockSize, List<Range> ranges, int maxBlocks) {
        Objects.requireNonNull(ranges, "ranges is null");
        if (blockSize <= 0 || Integer.bitCount(blockSize) != 1) {
            throw new IllegalArgumentException("blockSize must be a power of two, was " + blockSize);
        }
        long count = 0;
        for (Range range : ranges) {
            count += blockOf(range.offset + range.length - 1, blockSize) - blockOf(range.offset, blockSize) + 1;
            if (count > maxBlocks) {
                throw new IllegalArgumentException("more than " + maxBlocks + " bad blocks");
            }
        }
        long[] blocks = new long[(int) count];
        int at = 0;
        for (Range range : ranges) {
            for (long block = blockOf(range.offset, blockSize); block <= blockOf(range.offset + range.length - 1,
                    blockSize); block++) {
                blocks[at++] = block;
            }
        }
        Arrays.sort(blocks);
        int unique = 0;
        for (int i = 0; i < blocks.length; i++) {
            if (i == 0 || blocks[i] != blocks[i - 1]) {
                blocks[unique++] = blocks[i];
            }
        }
        return new BadBlockList(Arrays.copyOf(blocks, unique));
    }

    private static long blockOf(long byteOffset, int blockSize) {
        return byteOffset / blockSize;
    }

    /** The block numbers, ascending. */
    public long[] blocks() {
        return blocks.clone();
    }

    /** The text {@code e2fsck -l} reads: one number per line, each line ending in a newline. */
    public String text() {
        StringBuilder text = new StringBuilder(blocks.length * 8);
        for (long block : blocks) {
            text.append(block).append('\n');
        }
        return text.toString();
    }

    @Override
    public String toString() {
        return text();
    }
}
