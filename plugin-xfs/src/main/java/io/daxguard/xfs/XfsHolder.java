package io.daxguard.xfs;

import io.daxguard.spi.ExtentConsumer;
import io.daxguard.spi.FailureRange;
import io.daxguard.spi.FilesystemInfo;
import io.daxguard.spi.Mount;
import io.daxguard.spi.Owner;
import io.daxguard.support.linux.FsmapRecord;
import io.daxguard.support.index.ExtentMerger;
import io.daxguard.support.linux.Getfsmap;
import io.daxguard.support.linux.NativeFile;
import io.daxguard.support.linux.OverlappedCalls;
import io.daxguard.xfs.XfsBulkstat.InodeStat;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Holds one mounted XFS filesystem and answers from its reverse-map btree through GETFSMAP.
 *
 * <p>Each query opens the mount point for its own ioctls and closes it again: a descriptor kept open between
 * queries would make the administrator's {@code umount} fail with EBUSY. Opening costs a few microseconds; the
 * opened directory is checked to still be this filesystem (a remount elsewhere is refused, not misread).
 *
 * <p>Threads: a batch's GETFSMAPs and BULKSTATs are made a few at a time on up to {@value #OVERLAPPED_READS}
 * {@code daxguard-xfs-reads} threads owned here ({@link OverlappedCalls}: made when a batch has at least 8 of them,
 * ended after 30 s idle and by {@link #close()}). Otherwise the holder shares nothing mutable but its closed flag,
 * so any number of callers may query at once; queries after {@link #close()} throw {@link IllegalStateException}.
 */
final class XfsHolder extends MountedXfsHolder {
    /** Most failures cover a block or two: a small first buffer, paginated when a range holds more. */
    private static final int RECORDS_PER_CALL = 16;
    /** BULKSTATs made at once besides the caller's: measured faster than one at a time on a cold 200k-file XFS. */
    private static final int OVERLAPPED_READS = 3;
    /**
     * A GETFSMAP or BULKSTAT answered from memory takes ~5-20 us; one that reads the device, a tenth of a millisecond
     * or more. Below this average over a batch's first calls, the rest are made on the question's thread alone.
     */
    private static final java.time.Duration READ_FROM_THE_DEVICE = java.time.Duration.ofNanos(60_000);

    private final OverlappedCalls reads = new OverlappedCalls("daxguard-xfs-reads", OVERLAPPED_READS);
    private final InodeStatsUntilChange inodeStats;
    private final java.util.concurrent.atomic.AtomicLong bulkstats = new java.util.concurrent.atomic.AtomicLong();

    /**
     * @param deviceCookie the data device as GETFSMAP names it
     * @param inodeStats   the BULKSTAT answers remembered until the filesystem changes; closed with this holder
     */
    XfsHolder(Mount mount, FilesystemInfo info, int deviceCookie, InodeStatsUntilChange inodeStats) {
        super(mount, info, deviceCookie);
        this.inodeStats = inodeStats;
    }

    /** BULKSTATs made since the holder was made (tests). */
    long bulkstats() {
        return bulkstats.get();
    }

    /**
     * {@inheritDoc}
     *
     * <p>Each inode owner's generation comes from one BULKSTAT per distinct inode, remembered until the filesystem
     * changes ({@link InodeStatsUntilChange}). An inode BULKSTAT no longer finds (a file deleted during the query) is
     * reported as an {@link io.daxguard.spi.UnknownOwner} over its bytes rather than with a guessed generation.
     */
    @Override
    public List<Owner> notifyFailure(FailureRange range) throws IOException {
        Objects.requireNonNull(range, "range is null");
        return notifyFailures(List.of(range)).get(0);
    }

    /**
     * {@inheritDoc}
     *
     * <p>One descriptor serves the whole batch, and each distinct inode is looked up once. The reads go in disk
     * order: first GETFSMAP of every range by physical offset (the reverse-map btree's leaves in key order), then
     * BULKSTAT of every inode named by inode number (inode clusters in order), each in a few contiguous slices read at
     * once when the first calls show they wait for the device ({@link OverlappedCalls#eachInSlices}: a slice per
     * thread, so the threads read different allocation groups and do not queue on one AG header's lock), so on cold caches the device reads forward in a few places at once
     * rather than jumping between the btree and the inodes for each range. Each range still has its own
     * GETFSMAP, so the answers are those of asking one range at a time.
     */
    @Override
    public List<List<Owner>> notifyFailures(List<FailureRange> ranges) throws IOException {
        Objects.requireNonNull(ranges, "ranges is null");
        try (NativeFile filesystem = openFilesystem()) {
            // Before anything is read: a stat is remembered only in the epoch of a look made before its BULKSTAT.
            InodeStatsUntilChange.Epoch known = inodeStats.look(filesystem);
            Integer[] byOffset = new Integer[ranges.size()];
            Arrays.setAll(byOffset, i -> i);
            Arrays.sort(byOffset, Comparator.comparingLong(i -> ranges.get(i).offset()));
            List<Integer> inOffsetOrder = Arrays.asList(byOffset);
            List<List<FsmapRecord>> found = reads.eachInSlices(inOffsetOrder, i -> records(filesystem, ranges.get(i)),
                    READ_FROM_THE_DEVICE);
            List<List<FsmapRecord>> records = new ArrayList<>(Collections.nCopies(ranges.size(), null));
            TreeSet<Long> named = new TreeSet<>();
            for (int at = 0; at < byOffset.length; at++) {
                records.set(byOffset[at], found.get(at));
                for (FsmapRecord record : found.get(at)) {
                    if (!record.isSpecialOwner()) {
                        named.add(record.owner());
                    }
                }
            }
            Map<Long, Optional<InodeStat>> inodes = new HashMap<>();
            List<Long> byNumber = new ArrayList<>(named.size());
            for (long inode : named) {
                InodeStat remembered = known.get(inode);
                if (remembered != null) {
                    inodes.put(inode, Optional.of(remembered));
                } else {
                    byNumber.add(inode);
                }
            }
            bulkstats.addAndGet(byNumber.size());
            List<Optional<InodeStat>> stats = reads.eachInSlices(byNumber, inode -> XfsBulkstat.of(filesystem, inode),
                    READ_FROM_THE_DEVICE);
            for (int i = 0; i < byNumber.size(); i++) {
                inodes.put(byNumber.get(i), stats.get(i));
                stats.get(i).ifPresent(known::remember);
            }
            List<List<Owner>> answers = new ArrayList<>(ranges.size());
            for (int i = 0; i < ranges.size(); i++) {
                FailureRange range = ranges.get(i);
                answers.add(new FsmapOwners(range.offset(), range.end(), info().size(), mount())
                        .owners(records.get(i), inodes));
            }
            return answers;
        }
    }

    /** The GETFSMAP records of {@code range} on the data device, in the kernel's order. */
    private List<FsmapRecord> records(NativeFile filesystem, FailureRange range) throws IOException {
        List<FsmapRecord> records = new ArrayList<>();
        Getfsmap.query(filesystem, deviceCookie(), range.offset(), range.end(), RECORDS_PER_CALL, record -> {
            // Keys name only the data device, but the log or realtime device must never leak in.
            if (record.device() == deviceCookie()) {
                records.add(record);
            }
            return true;
        });
        return records;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Written means: file data that is not unwritten preallocation, attribute forks, extent maps and
     * filesystem metadata (the log included). Free space, CoW staging extents (not yet part of any file) and
     * blocks XFS already knows to be defective are skipped. Blocks XFS reports without an owner are visited: they
     * may hold data.
     */
    @Override
    public void forEachWrittenExtent(long from, long to, ExtentConsumer consumer) throws IOException {
        checkWindow(from, to, consumer);
        if (from == to) {
            return;
        }
        // Records arrive in physical order (rmap key order, AG by AG), so overlapping sharers and adjacent extents
        // merge as they stream by, without holding the whole window in memory. No descriptor is open while the
        // consumer reads (queryReleasing): a scrub of a filesystem being unmounted must not make umount fail.
        ExtentMerger merger = new ExtentMerger(consumer);
        Getfsmap.queryReleasing(this::openFilesystem, deviceCookie(), from, to, Getfsmap.WALK_BATCH, record -> {
            if (record.device() == deviceCookie() && isWritten(record)) {
                merger.add(Math.max(record.physical(), from), Math.min(record.end(), to));
            }
            return true;
        });
        merger.flush();
    }

    private static boolean isWritten(FsmapRecord record) {
        if (record.isPrealloc()) {
            return false;
        }
        if (!record.isSpecialOwner()) {
            return true;
        }
        long owner = record.owner();
        return owner != FsmapRecord.OWN_FREE && owner != XfsSpecialOwner.COW_STAGING.owner()
                && owner != XfsSpecialOwner.DEFECTIVE.owner();
    }

    @Override
    public void close() throws IOException {
        markClosed();
        try {
            reads.close();
        } finally {
            inodeStats.close();
        }
    }
}
