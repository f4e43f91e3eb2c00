package io.daxguard.btrfs;

import io.daxguard.support.linux.NativeFile;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What a scrub of a member reads, a batch at a time: superblock copies, tree blocks and data extents (a partly
 * unused extent whole: its csums cover all of it), parity chunks whole; never unallocated space, free space in
 * chunks, nor preallocated bytes no file has written (they read as zeros and have no csums). The holder asks for one
 * batch with the mount point open, closes it, then hands the batch to the scrub's consumer, so a consumer that takes
 * long never keeps the filesystem busy.
 */
final class WrittenExtents {
    /** Runs gathered before the descriptor is closed and they are handed on. */
    static final int BATCH = 4096;

    private WrittenExtents() {
    }

    /**
     * Adds to {@code runs} the written runs of {@code member} from {@code from} on (in order, {start, end}), one
     * device extent piece at a time, until {@code to} or until {@code limit} runs are gathered ({@link #BATCH}).
     *
     * @return where the next batch starts ({@code to} when the window is done)
     */
    static long batch(NativeFile filesystem, Member member, long from, long to, int nodeSize, List<long[]> runs,
                      int limit) throws IOException {
        to = Math.min(to, member.totalBytes());
        if (from >= to) {
            return from;
        }
        DeviceMap map = new DeviceMap(filesystem);
        FileExtents files = new FileExtents(filesystem);
        for (long[] run : BtrfsHolder.aroundSuperblocks(from, to, member.totalBytes())) {
            if (run[2] >= 0) {
                runs.add(new long[] {run[0], run[1]});
                continue;
            }
            for (DeviceMap.Piece piece : map.pieces(member.devid(), run[0], run[1])) {
                if (!piece.isAllocated()) {
                    continue;
                }
                if (!piece.isMapped()) {
                    runs.add(new long[] {piece.physical(), piece.end()});
                } else {
                    addExtents(filesystem, files, piece, nodeSize, runs);
                }
                if (runs.size() >= limit && piece.end() < to) {
                    return piece.end();
                }
            }
        }
        return to;
    }

    private static void addExtents(NativeFile filesystem, FileExtents files, DeviceMap.Piece piece, int nodeSize,
                                   List<long[]> runs) throws IOException {
        long from = piece.logical();
        long to = from + piece.length();
        for (ExtentTree.Extent extent : ExtentTree.extents(filesystem, piece.chunk(), from, to, nodeSize)) {
            List<long[]> written = extent.treeBlock() ? List.of(new long[] {extent.logical(), extent.end()})
                    : writtenOf(filesystem, files, extent);
            for (long[] part : written) {
                long start = Math.max(from, part[0]);
                long end = Math.min(to, part[1]);
                if (start < end) {
                    runs.add(new long[] {piece.physicalOf(start), piece.physicalOf(end)});
                }
            }
        }
    }

    /**
     * The logical bytes of a data extent that hold written data: all of it unless a file uses part of it as
     * preallocation ({@code fallocate}; btrfs splits the file's items as it writes into it, the disk extent stays
     * one), then the parts regular file extent items use, in order.
     */
    static List<long[]> writtenOf(NativeFile filesystem, FileExtents files, ExtentTree.Extent extent)
            throws IOException {
        List<long[]> regular = new ArrayList<>();
        boolean preallocated = false;
        for (BtrfsIoctls.Reference reference : BtrfsIoctls.logicalIno(filesystem, extent.logical(), true)) {
            if (!Trees.isSubvolume(reference.root())) {
                continue;
            }
            var use = files.of(reference.root(), reference.inode(), reference.offset(), extent.logical(),
                    extent.length());
            if (use.isEmpty()) {
                continue;
            }
            if (use.get().prealloc()) {
                preallocated = true;
            } else {
                regular.add(new long[] {use.get().logical(), use.get().end()});
            }
        }
        if (!preallocated) {
            return List.of(new long[] {extent.logical(), extent.end()});
        }
        regular.sort(Comparator.comparingLong(part -> part[0]));
        return regular;
    }
}
