package io.daxguard.support.index;

import io.daxguard.spi.FailureRange;
import io.daxguard.spi.LinuxPath;
import io.daxguard.support.linux.FileStatus;
import io.daxguard.support.linux.NativeCallException;
import io.daxguard.support.linux.OverlappedCalls;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads ahead what a batch's live confirmations will read: before the proposals of many ranges are confirmed one by
 * one ({@link LiveConfirmation}: each file reopened by its names, then FIEMAP), every name of every file proposed and
 * not yet confirmed in the question's epoch is looked up with {@code statx} (not following a final symlink) a few at
 * a time, so that on cold caches the directory and inode reads overlap in the device's queue instead of waiting one
 * behind another. Nothing is concluded from these looks: every proposal is then confirmed live exactly as without
 * them; they only bring the blocks into the kernel's caches. A warm batch (everything confirmed in the epoch) reads
 * nothing ahead.
 *
 * <p>Threads: up to {@link #THREADS} {@code daxguard-read-ahead} threads ({@link OverlappedCalls}), made when a batch
 * needs them, ended after 30 s idle and by {@link #close()}; owned by the {@link LiveReverseMap}.
 */
final class ColdNameReads implements AutoCloseable {
    /** Lookups made at once besides the caller's: enough to keep a disk's queue busy. */
    static final int THREADS = 3;

    private final OverlappedCalls overlapped = new OverlappedCalls("daxguard-read-ahead", THREADS);

    /** Looks up the names of the files {@code index} proposes for {@code ranges} that {@code epoch} has not confirmed. */
    void readAhead(ExtentIndex index, ConfirmedFacts.Epoch epoch, List<FailureRange> ranges) throws IOException {
        if (ranges.size() < OverlappedCalls.MIN_OVERLAPPED) {
            return;
        }
        Set<Long> inodes = new LinkedHashSet<>();
        for (FailureRange range : ranges) {
            if (range.length() <= 0 || epoch.answer(range.offset(), range.end()) != null) {
                continue;
            }
            for (int position : index.positionsOverlapping(range.offset(), range.end())) {
                if (!epoch.isConfirmed(position)) {
                    inodes.add(index.extentAt(position).inode());
                }
            }
        }
        if (inodes.size() < OverlappedCalls.MIN_OVERLAPPED) {
            return;
        }
        overlapped.each(new ArrayList<>(inodes), inode -> {
            for (LinuxPath name : index.pathsOf(inode)) {
                try {
                    FileStatus.ofPathNoFollow(name);
                } catch (NativeCallException gone) {
                    // The confirmation will find out, and say so; a read ahead concludes nothing.
                }
            }
            return null;
        });
    }

    @Override
    public void close() {
        overlapped.close();
    }
}
