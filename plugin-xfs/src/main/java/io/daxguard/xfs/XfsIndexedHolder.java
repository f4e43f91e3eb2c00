package io.daxguard.xfs;

import io.daxguard.spi.ExtentConsumer;
import io.daxguard.spi.FailureRange;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.FilesystemInfo;
import io.daxguard.spi.FreeSpaceOwner;
import io.daxguard.spi.MetadataOwner;
import io.daxguard.spi.Mount;
import io.daxguard.spi.Owner;
import io.daxguard.spi.PathNames;
import io.daxguard.spi.ReverseMapStatus;
import io.daxguard.spi.UnknownOwner;
import io.daxguard.support.index.AllocatedRanges;
import io.daxguard.support.index.ByteSpan;
import io.daxguard.support.index.LiveReverseMap;
import io.daxguard.support.index.Question;
import io.daxguard.support.linux.FsmapRecord;
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
final class XfsIndexedHolder extends MountedXfsHolder {
    private final XfsFixedMetadata fixedMetadata;
    private final LiveReverseMap reverseMap;

    XfsIndexedHolder(Mount mount, FilesystemInfo info, int deviceCookie, XfsFixedMetadata fixedMetadata,
                     LiveReverseMap reverseMap) {
        super(mount, info, deviceCookie);
        this.fixedMetadata = Objects.requireNonNull(fixedMetadata, "fixedMetadata is null");
        this.reverseMap = Objects.requireNonNull(reverseMap, "reverseMap is null");
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
        checkOpen();
        return notifyFailure(range, reverseMap.question());
    }

    /** One question for the whole batch: one look at the filesystem's changes, at most one index rebuild. */
    @Override
    public List<List<Owner>> notifyFailures(List<FailureRange> ranges) throws IOException {
        checkOpen();
        return reverseMap.answerAll(ranges, this::notifyFailure);
    }

    /** The index's own names, checked live: the agent need not walk the tree again. */
    @Override
    public Optional<PathNames> pathNames() {
        return Optional.of(reverseMap::verifiedPaths);
    }

    private List<Owner> notifyFailure(FailureRange range, Question question) throws IOException {
        Objects.requireNonNull(range, "range is null");
        long size = info().size();
        if (range.offset() >= size) {
            return List.of(beyondTheEnd(range.offset(), range.end()));
        }
        long end = Math.min(range.end(), size);
        if (end == range.end()) {
            // Live files that map every byte are the whole answer; GETFSMAP is skipped.
            Optional<List<FileOwner>> files = reverseMap.ownersIfAllConfirmed(range.offset(), end, question);
            if (files.isPresent()) {
                return List.copyOf(files.get());
            }
        }
        List<Owner> owners = new ArrayList<>();
        // XFS fills gaps between free extents with "unknown" itself; should a kernel leave one out, it may hold
        // file data: the index is asked, and only what it cannot confirm is unknown.
        List<ByteSpan> allocated = AllocatedRanges.classify(mount(), deviceCookie(), range.offset(), end, owners,
                this::classify, fixedMetadata::split);
        owners.addAll(AllocatedRanges.indexedOwners(reverseMap, allocated, question));
        if (end < range.end()) {
            owners.add(beyondTheEnd(end, range.end()));
        }
        owners.sort(Comparator.comparingLong(Owner::physicalOffset));
        return owners;
    }

    private void classify(FsmapRecord record, long from, long to, List<Owner> owners, List<ByteSpan> allocated) {
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
            owners.add(new MetadataOwner(kind.kind(), kind.description(), kind.repairHint(mount()), from,
                    to - from));
        } else {
            owners.add(new MetadataOwner(XfsSpecialOwner.GENERIC_KIND, "filesystem metadata",
                    XfsSpecialOwner.offlineRepairHint(mount()), from, to - from));
        }
    }

    private UnknownOwner beyondTheEnd(long from, long to) {
        return new UnknownOwner(from, to - from, "beyond the end of the filesystem, which holds " + info().size()
                + " bytes of the device");
    }

    /**
     * {@inheritDoc}
     *
     * <p>Written here means not free and not unwritten preallocation: without rmapbt GETFSMAP cannot tell unwritten
     * preallocation from written data, so the index's unwritten extents are left out where the live files confirm
     * them (an unconfirmed one is read: a superset, harmless). Only the free records are taken from GETFSMAP and
     * everything between them is visited, so a range the kernel left out is read.
     */
    @Override
    public void forEachWrittenExtent(long from, long to, ExtentConsumer consumer) throws IOException {
        checkWindow(from, to, consumer);
        checkOpen();
        long end = Math.min(to, info().size());
        if (from >= end) {
            return;
        }
        AllocatedRanges.forEachNotFree(mount(), deviceCookie(), from, end, reverseMap.confirmedUnwritten(from, end),
                consumer);
    }

    /** Stops and joins the index thread (see {@link LiveReverseMap#close}). */
    @Override
    public void close() throws IOException {
        markClosed();
        reverseMap.close();
    }
}
