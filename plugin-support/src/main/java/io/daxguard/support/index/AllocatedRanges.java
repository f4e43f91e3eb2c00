package io.daxguard.support.index;

import io.daxguard.spi.ExtentConsumer;
import io.daxguard.spi.Mount;
import io.daxguard.spi.Owner;
import io.daxguard.support.linux.FsmapRecord;
import io.daxguard.support.linux.Getfsmap;
import io.daxguard.support.linux.NativeFile;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * GETFSMAP for filesystems whose GETFSMAP cannot name file owners (ext4, XFS without the reverse-map btree):
 * it tells free space and some metadata, and everything else in use is "allocated", left for a
 * {@link LiveReverseMap} to name, as {@link ByteSpan}s.
 *
 * <p>Every call opens the mount point for its own GETFSMAP and closes it again (a descriptor kept open would make
 * {@code umount} fail with EBUSY).
 */
public final class AllocatedRanges {

    /** Decides what the part {@code [from, to)} of one record is: named owners, or allocated for the index. */
    @FunctionalInterface
    public interface RecordClassifier {
        void classify(FsmapRecord record, long from, long to, List<Owner> owners, List<ByteSpan> allocated);
    }

    /**
     * Decides what a range GETFSMAP left out is. A gap may hold file data (ext4's GETFSMAP on Linux 6.18 leaves out
     * the in-use space of block groups with no free block), so it is in use, never free.
     */
    @FunctionalInterface
    public interface GapClassifier {
        void classify(long from, long to, List<Owner> owners, List<ByteSpan> allocated);
    }

    /** An extent a plugin has named itself, within space GETFSMAP calls unknown. */
    public interface KnownExtent {
        long start();

        long end();
    }

    /** Receives the part {@code [start, stop)} of a known extent. */
    @FunctionalInterface
    public interface KnownPart<E extends KnownExtent> {
        void accept(E extent, long start, long stop);
    }

    private AllocatedRanges() {
    }

    /**
     * Classifies {@code [from, end)}: each record of the data device (trimmed to the window) goes to
     * {@code records}, each range no record covers to {@code gaps}; named owners are added to {@code owners}.
     *
     * @return the allocated ranges, sorted and merged
     */
    public static List<ByteSpan> classify(Mount mount, int deviceCookie, long from, long end, List<Owner> owners,
                                          RecordClassifier records, GapClassifier gaps) throws IOException {
        List<ByteSpan> allocated = new ArrayList<>();
        long[] covered = {from};
        try (NativeFile filesystem = NativeFile.openMountPoint(mount.mountPoint(), mount.device())) {
            Getfsmap.query(filesystem, deviceCookie, from, end, Getfsmap.DEFAULT_BATCH, record -> {
                long recordFrom = Math.max(record.physical(), from);
                long recordTo = Math.min(record.end(), end);
                // Keys name only the data device, but a log or journal device must never leak in.
                if (record.device() != deviceCookie || recordFrom >= recordTo) {
                    return true;
                }
                if (recordFrom > covered[0]) {
                    gaps.classify(covered[0], recordFrom, owners, allocated);
                }
                covered[0] = Math.max(covered[0], recordTo);
                records.classify(record, recordFrom, recordTo, owners, allocated);
                return true;
            });
        }
        if (covered[0] < end) {
            gaps.classify(covered[0], end, owners, allocated);
        }
        return merge(allocated);
    }

    /** The owners the index names (and confirms) for each of {@code allocated}, in order. */
    public static List<Owner> indexedOwners(LiveReverseMap reverseMap, List<ByteSpan> allocated, Question question)
            throws IOException {
        List<Owner> owners = new ArrayList<>();
        for (ByteSpan part : allocated) {
            owners.addAll(reverseMap.ownersOfAllocated(part.start(), part.end(), question));
        }
        return owners;
    }

    /**
     * Visits every range of {@code [from, end)} that is not free, merged: the complement of GETFSMAP's free-space
     * records. Only free records are trusted, so a range the kernel leaves out (in use, see {@link GapClassifier})
     * is visited too.
     */
    public static void forEachNotFree(Mount mount, int deviceCookie, long from, long end, ExtentConsumer consumer)
            throws IOException {
        forEachNotFree(mount, deviceCookie, from, end, List.of(), consumer);
    }

    /**
     * As {@link #forEachNotFree(Mount, int, long, long, ExtentConsumer)}, leaving out {@code skipped} (sorted,
     * disjoint: unwritten preallocation the live files confirm, {@link LiveReverseMap#confirmedUnwritten}).
     */
    public static void forEachNotFree(Mount mount, int deviceCookie, long from, long end, List<ByteSpan> skipped,
                                      ExtentConsumer visit) throws IOException {
        ExtentConsumer consumer = skipped.isEmpty() ? visit : outside(skipped, visit);
        long[] written = {from};
        // No descriptor open while the consumer runs (a scrub reads each range it is handed): see queryReleasing.
        Getfsmap.queryReleasing(() -> NativeFile.openMountPoint(mount.mountPoint(), mount.device()), deviceCookie,
                from, end, Getfsmap.WALK_BATCH, record -> {
                    if (record.device() != deviceCookie || !record.isSpecialOwner()
                            || record.owner() != FsmapRecord.OWN_FREE) {
                        return true;
                    }
                    long freeStart = Math.max(record.physical(), from);
                    long freeEnd = Math.min(record.end(), end);
                    if (freeStart > written[0]) {
                        consumer.accept(written[0], freeStart - written[0]);
                    }
                    written[0] = Math.max(written[0], freeEnd);
                    return true;
                });
        if (written[0] < end) {
            consumer.accept(written[0], end - written[0]);
        }
    }

    /** Hands on the parts of each range that lie outside {@code skipped} (sorted, disjoint). */
    static ExtentConsumer outside(List<ByteSpan> skipped, ExtentConsumer consumer) {
        return (offset, length) -> {
            long at = offset;
            long end = offset + length;
            for (ByteSpan skip : skipped) {
                if (skip.end() <= at) {
                    continue;
                }
                if (skip.start() >= end) {
                    break;
                }
                if (skip.start() > at) {
                    consumer.accept(at, skip.start() - at);
                }
                at = Math.max(at, skip.end());
            }
            if (at < end) {
                consumer.accept(at, end - at);
            }
        };
    }

    /**
     * Splits {@code [from, to)} around {@code known} (sorted by start, disjoint): each overlap goes to
     * {@code knownPart}, the rest to {@code allocated} for the index.
     */
    public static <E extends KnownExtent> void splitAround(long from, long to, List<E> known, KnownPart<E> knownPart,
                                                           List<ByteSpan> allocated) {
        long at = from;
        for (E extent : known) {
            long start = Math.max(at, extent.start());
            long stop = Math.min(to, extent.end());
            if (start >= stop) {
                continue;
            }
            if (start > at) {
                allocated.add(new ByteSpan(at, start));
            }
            knownPart.accept(extent, start, stop);
            at = stop;
        }
        if (at < to) {
            allocated.add(new ByteSpan(at, to));
        }
    }

    /** Sorts {@code ranges} by start and merges those that overlap or touch; the given list is not changed. */
    public static List<ByteSpan> merge(List<ByteSpan> ranges) {
        List<ByteSpan> sorted = new ArrayList<>(ranges);
        sorted.sort(Comparator.comparingLong(ByteSpan::start));
        List<ByteSpan> merged = new ArrayList<>();
        for (ByteSpan range : sorted) {
            int lastIndex = merged.size() - 1;
            ByteSpan last = merged.isEmpty() ? null : merged.get(lastIndex);
            if (last != null && range.start() <= last.end()) {
                merged.set(lastIndex, new ByteSpan(last.start(), Math.max(last.end(), range.end())));
            } else {
                merged.add(range);
            }
        }
        return merged;
    }
}
