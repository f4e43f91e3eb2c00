package io.daxguard.support.index;

import io.daxguard.spi.FailureRange;
import io.daxguard.spi.LinuxPath;
import io.daxguard.support.linux.Fiemap;
import io.daxguard.support.linux.FileStatus;
import io.daxguard.support.linux.NativeCallException;
import io.daxguard.support.linux.NativeFile;
import io.daxguard.support.linux.OverlappedCalls;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads ahead what a batch's live confirmations will read: before the proposals of many ranges are confirmed one by
 * one ({@link LiveConfirmation}: each file reopened, by handle or by its names, then FIEMAP), every file proposed and
 * not yet confirmed in the question's epoch is opened the same way and its proposed range mapped, a few at a time,
 * so that on cold caches the inode and extent-tree reads overlap in the device's queue instead of waiting one behind
 * another. When the index's names will be checked ({@link IndexFreshness#namesCurrent} false), they are looked up
 * with {@code statx} too. Nothing is concluded from these looks: every proposal is then confirmed live exactly as
 * without them; they only bring the blocks into the kernel's caches. A warm batch (everything confirmed in the
 * epoch) reads nothing ahead.
 *
 * <p>Threads: up to {@link #THREADS} {@code daxguard-read-ahead} threads ({@link OverlappedCalls}), made when a batch
 * needs them, ended after 30 s idle and by {@link #close()}; owned by the {@link LiveReverseMap}.
 */
final class ColdNameReads implements AutoCloseable {
    /**
     * Reads made at once besides the caller's: enough to keep a disk's queue busy. Each is a random inode or
     * extent-tree block read and waits on the device, not on a CPU; on the 200k-file ext4 fixture 7 measured a cold batch
     * of 0.48-0.87 s against 1.08-1.21 s with 3 (docs/PERFORMANCE.md).
     */
    static final int THREADS = 7;

    private final OverlappedCalls overlapped = new OverlappedCalls("daxguard-read-ahead", THREADS);

    /**
     * Opens and maps the files {@code index} proposes for {@code ranges} that {@code epoch} has not confirmed, and
     * looks up their names unless {@code namesCurrent}.
     */
    void readAhead(ExtentIndex index, ConfirmedFacts.Epoch epoch, List<FailureRange> ranges,
                   LiveConfirmation confirmation, boolean namesCurrent) throws IOException {
        if (ranges.size() < OverlappedCalls.MIN_OVERLAPPED) {
            return;
        }
        Map<Long, IndexedExtent> proposed = new LinkedHashMap<>();
        for (FailureRange range : ranges) {
            if (range.length() <= 0 || epoch.answer(range.offset(), range.end()) != null) {
                continue;
            }
            for (int position : index.positionsOverlapping(range.offset(), range.end())) {
                if (!epoch.isConfirmed(position)) {
                    IndexedExtent extent = index.extentAt(position);
                    proposed.putIfAbsent(extent.inode(), extent);
                }
            }
        }
        if (proposed.size() < OverlappedCalls.MIN_OVERLAPPED) {
            return;
        }
        overlapped.each(new ArrayList<>(proposed.values()), extent -> {
            readAhead(index, extent, confirmation, namesCurrent);
            return null;
        });
    }

    private static void readAhead(ExtentIndex index, IndexedExtent extent, LiveConfirmation confirmation,
                                  boolean namesCurrent) throws IOException {
        try (NativeFile file = confirmation.open(index, extent.inode(), extent.generation())) {
            if (file != null && !extent.isInline() && !extent.isExtra()) {
                Fiemap.map(file, extent.logical(), extent.length(), 0, 1, live -> false);
            }
        } catch (NativeCallException gone) {
            // The confirmation will find out, and say so; a read ahead concludes nothing.
        }
        if (!namesCurrent) {
            for (LinuxPath name : index.pathsOf(extent.inode())) {
                try {
                    FileStatus.ofPathNoFollow(name);
                } catch (NativeCallException gone) {
                    // as above
                }
            }
        }
    }

    @Override
    public void close() {
        overlapped.close();
    }
}
