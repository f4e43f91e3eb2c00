package io.daxguard.spi;

import java.util.Objects;

/**
 * A file owns the range. Identity is (filesystem UUID, subvolume, inode, generation), never a path.
 *
 * @param inode          inode number
 * @param generation     inode generation ({@code FS_IOC_GETVERSION}); distinguishes a reused inode number
 * @param fork           which part of the file
 * @param fileOffset     byte offset in the file (in the fork) of {@code physicalOffset}; 0 for extent maps
 * @param physicalOffset first byte of the file's block inside the queried range
 * @param length         bytes inside the queried range
 * @param shared         whether other files share these blocks (reflink); each sharer is its own owner
 * @param unwritten      whether the range is preallocated but unwritten (reads return zeros)
 * @param subvolume      the inode-number space the inode belongs to, on a filesystem with several (btrfs: the
 *                       subvolume or snapshot's root id, as {@code statx} reports it in {@code stx_subvol}); 0 on a
 *                       filesystem with one ({@link #ONE_INODE_SPACE})
 */
public record FileOwner(long inode, long generation, Fork fork, long fileOffset, long physicalOffset,
                        long length, boolean shared, boolean unwritten, long subvolume) implements Owner {
    /** The subvolume of every file on a filesystem with one inode-number space (XFS, ext4). */
    public static final long ONE_INODE_SPACE = 0;

    /** A file of a filesystem with one inode-number space. */
    public FileOwner(long inode, long generation, Fork fork, long fileOffset, long physicalOffset, long length,
                     boolean shared, boolean unwritten) {
        this(inode, generation, fork, fileOffset, physicalOffset, length, shared, unwritten, ONE_INODE_SPACE);
    }

    public FileOwner {
        if (subvolume < 0) {
            throw new IllegalArgumentException("subvolume must not be negative, was " + subvolume);
        }
        Objects.requireNonNull(fork, "fork is null");
        if (inode <= 0) {
            throw new IllegalArgumentException("inode must be positive, was " + inode);
        }
        if (generation < 0 || generation > 0xffff_ffffL) {
            throw new IllegalArgumentException("generation must be an unsigned 32-bit value, was " + generation);
        }
        if (fileOffset < 0) {
            throw new IllegalArgumentException("fileOffset must not be negative, was " + fileOffset);
        }
        Owner.checkRange(physicalOffset, length);
    }
}
