package io.daxguard.xfs;

import io.daxguard.spi.ExtentConsumer;
import io.daxguard.spi.FailureRange;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.FilesystemInfo;
import io.daxguard.spi.FreeSpaceOwner;
import io.daxguard.spi.Holder;
import io.daxguard.spi.MetadataOwner;
import io.daxguard.spi.Mount;
import io.daxguard.spi.Owner;
import io.daxguard.spi.ReverseMapStatus;
import io.daxguard.spi.UnknownOwner;
import io.daxguard.spi.index.LiveReverseMap;
import io.daxguard.spi.linux.FsmapRecord;
import io.daxguard.spi.linux.Getfsmap;
import io.daxguard.spi.linux.NativeFile;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Holds an XFS filesystem made without the reverse-map btree. GETFSMAP still answers there, but from the
 * free-space btree: every byte is "free" or "unknown". So free space comes from GETFSMAP, the AG headers and the
 * internal log from the geometry ({@link XfsFixedMetadata}), and the owners of the rest from a
 * {@link LiveReverseMap} (FIEMAP per file), which confirms every owner against the live file. XFS bmbt blocks,
 * btree and inode-chunk blocks are not visible through FIEMAP: they stay {@link UnknownOwner}.
 *
 * <p>Before the first index build finishes, data ranges are answered as unknown with how far the build is;
 * {@link #awaitReverseMap} waits for it.
 *
 * <p>Threads: the map owns the index thread ({@code daxguard-index <mount>}); {@link #close} stops and joins it.
 * Queries run on the callers' threads, any number at once. Each query opens the mount point for its GETFSMAP and
 * closes it again (a descriptor kept open would make {@code umount} fail with EBUSY).
 */
final class XfsIndexedHolder implements Holder {
    private final Mount mount;
    private final FilesystemInfo info;
    private final int deviceCookie;
    private final XfsFixedMetadata fixedMetadata;
    private final LiveReverseMap reverseMap;
    private volatile boolean closed;

    XfsIndexedHolder(Mount mount, FilesystemInfo info, int deviceCookie, XfsFixedMetadata fixedMetadata,
                     LiveReverseMap reverseMap) {
        this.mount = Objects.requireNonNull(mount, "mount is null");
        this.info = Objects.requireNonNull(info, "info is null");
        this.deviceCookie = deviceCookie;
        this.fixedMetadata = Objects.requireNonNull(fixedMetadata, "fixedMetadata is null");
        this.reverseMap = Objects.requireNonNull(reverseMap, "reverseMap is null");
    }

    @Override
    public Mount mount() {
        return mount;
    }

    @Override
    public FilesystemInfo info() {
        return info;
    }

    @Override
    public Optional<ReverseMapStatus> reverseMapStatus() {
        return Optional.of(reverseMap.status());
    }

    @Override
    public boolean awaitReverseMap(Duration timeout) throws InterruptedException {
        return reverseMap.awaitIndex(timeout);
    }

    @Override
    public List<Owner> notifyFailure(FailureRange range) throws IOException {
        Objects.requireNonNull(range, "range is null");
        checkOpen();
        long asked = System.nanoTime(); // one timestamp per failure: the index is rebuilt at most once for it
        long size = info.size();
        if (range.offset() >= size) {
            return List.of(beyondTheEnd(range.offset(), range.end()));
        }
        long end = Math.min(range.end(), size);
        if (end == range.end()) {
            // Live files that map every byte are the whole answer; GETFSMAP is skipped.
            Optional<List<FileOwner>> files = reverseMap.ownersIfAllConfirmed(range.offset(), end);
            if (files.isPresent()) {
                return List.copyOf(files.get());
            }
        }
        List<Owner> owners = new ArrayList<>();
        List<long[]> allocated = new ArrayList<>();
        long[] covered = {range.offset()};
        try (NativeFile filesystem = NativeFile.openMountPoint(mount.mountPoint(), mount.device())) {
            Getfsmap.query(filesystem, deviceCookie, range.offset(), end, Getfsmap.DEFAULT_BATCH, record -> {
                long from = Math.max(record.physical(), range.offset());
                long to = Math.min(record.end(), end);
                if (record.device() != deviceCookie || from >= to) {
                    return true;
                }
                if (from > covered[0]) {
                    // XFS fills gaps between free extents with "unknown" itself; should a kernel leave one out,
                    // it may hold file data: the index is asked, and only what it cannot confirm is unknown.
                    fixedMetadata.split(covered[0], from, owners, allocated);
                }
                covered[0] = Math.max(covered[0], to);
                classify(record, from, to, owners, allocated);
                return true;
            });
        }
        if (covered[0] < end) {
            fixedMetadata.split(covered[0], end, owners, allocated);
        }
        for (long[] part : merge(allocated)) {
            owners.addAll(reverseMap.ownersOfAllocated(part[0], part[1], asked));
        }
        if (end < range.end()) {
            owners.add(beyondTheEnd(end, range.end()));
        }
        owners.sort(Comparator.comparingLong(Owner::physicalOffset));
        return owners;
    }

    private void classify(FsmapRecord record, long from, long to, List<Owner> owners, List<long[]> allocated) {
        if (!record.isSpecialOwner() || record.owner() == FsmapRecord.OWN_UNKNOWN) {
            // Without rmapbt everything in use is "unknown"; an inode owner would only come from a kernel that
            // learned more, and the index still decides (and confirms) who owns it.
            fixedMetadata.split(from, to, owners, allocated);
            return;
        }
        if (record.owner() == FsmapRecord.OWN_FREE) {
            owners.add(new FreeSpaceOwner(from, to - from));
            return;
        }
        Optional<XfsSpecialOwner> special = XfsSpecialOwner.of(record.owner());
        if (special.isPresent()) {
            XfsSpecialOwner kind = special.get();
            owners.add(new MetadataOwner(kind.kind(), kind.description(), kind.repairHint(mount.source()), from,
                    to - from));
        } else {
            owners.add(new MetadataOwner("xfs.metadata", "filesystem metadata",
                    XfsSpecialOwner.offlineRepairHint(mount.source()), from, to - from));
        }
    }

    private UnknownOwner beyondTheEnd(long from, long to) {
        return new UnknownOwner(from, to - from, "beyond the end of the filesystem, which holds " + info.size()
                + " bytes of the device");
    }

    private static List<long[]> merge(List<long[]> ranges) {
        List<long[]> merged = new ArrayList<>();
        ranges.sort(Comparator.comparingLong(r -> r[0]));
        for (long[] range : ranges) {
            long[] last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            if (last != null && range[0] <= last[1]) {
                last[1] = Math.max(last[1], range[1]);
            } else {
                merged.add(new long[] {range[0], range[1]});
            }
        }
        return merged;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Written here means not free: without rmapbt GETFSMAP cannot tell unwritten preallocation from written
     * data, so preallocated ranges are visited too (a superset; reading them is harmless). Only the free records
     * are taken from GETFSMAP and everything between them is visited, so a range the kernel left out is read.
     */
    @Override
    public void forEachWrittenExtent(long from, long to, ExtentConsumer consumer) throws IOException {
        Objects.requireNonNull(consumer, "consumer is null");
        if (from < 0 || to < from) {
            throw new IllegalArgumentException("window must be [from, to) with 0 <= from <= to, was [" + from + ", "
                    + to + ")");
        }
        checkOpen();
        long end = Math.min(to, info.size());
        if (from >= end) {
            return;
        }
        long[] written = {from};
        try (NativeFile filesystem = NativeFile.openMountPoint(mount.mountPoint(), mount.device())) {
            Getfsmap.query(filesystem, deviceCookie, from, end, Getfsmap.DEFAULT_BATCH, record -> {
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
        }
        if (written[0] < end) {
            consumer.accept(written[0], end - written[0]);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the holder of " + mount.mountPoint() + " is closed");
        }
    }

    /** Stops and joins the index thread (see {@link LiveReverseMap#close}). */
    @Override
    public void close() throws IOException {
        closed = true;
        reverseMap.close();
    }

    @Override
    public String toString() {
        return "XfsIndexedHolder[" + mount.mountPoint() + " on " + mount.source() + " (" + mount.device() + ")]";
    }
}
