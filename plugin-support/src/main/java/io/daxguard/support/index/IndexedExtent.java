package io.daxguard.support.index;

import io.daxguard.spi.Fork;

/**
 * One extent as the index remembers it: a proposal, not a fact, until confirmed against the live file.
 *
 * @param inode      inode number of the file
 * @param generation the file's generation when indexed
 * @param logical    byte offset in the file (in its fork); 0 for attribute and extent-map blocks
 * @param physical   first byte on the device
 * @param length     bytes
 * @param flags      {@link ExtentFlags} bits
 */
public record IndexedExtent(long inode, long generation, long logical, long physical, long length, int flags) {
    public IndexedExtent {
        if (inode <= 0) {
            throw new IllegalArgumentException("inode must be positive, was " + inode);
        }
        if (physical < 0 || length <= 0 || logical < 0) {
            throw new IllegalArgumentException("bad extent: logical " + logical + " physical " + physical
                    + " length " + length);
        }
    }

    public Fork fork() {
        return ExtentFlags.fork(flags);
    }

    public boolean isInline() {
        return ExtentFlags.has(flags, ExtentFlags.INLINE);
    }

    public boolean isExtra() {
        return ExtentFlags.has(flags, ExtentFlags.EXTRA);
    }

    public long physicalEnd() {
        return physical + length;
    }
}
