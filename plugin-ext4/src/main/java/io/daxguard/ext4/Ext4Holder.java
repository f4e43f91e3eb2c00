package io.daxguard.ext4;

import io.daxguard.spi.ExtentConsumer;
import io.daxguard.spi.FailureRange;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.FilesystemInfo;
import io.daxguard.spi.FreeSpaceOwner;
import io.daxguard.spi.Holder;
import io.daxguard.spi.LinuxPath;
import io.daxguard.spi.MetadataOwner;
import io.daxguard.spi.Mount;
import io.daxguard.spi.Owner;
import io.daxguard.spi.PathNames;
import io.daxguard.spi.ReverseMapStatus;
import io.daxguard.spi.UnknownOwner;
import io.daxguard.support.index.AllocatedRanges;
import io.daxguard.support.index.ByteSpan;
import io.daxguard.support.index.IndexBuildProgress;
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
 * Holds one mounted ext4 filesystem. Metadata and free space come from GETFSMAP; GETFSMAP calls every file
 * block (and the journal) "unknown", so the journal is located from the superblock and file owners come
 * from a {@link LiveReverseMap}, whose index this holder starts building at attach on the map's own thread.
 *
 * <p>Before the first build finishes, {@link #notifyFailure} does not wait: metadata and free space are
 * answered, and data ranges are {@link UnknownOwner}s saying how far the build is. Callers that must have
 * owners (tests, the CLI) use {@link #awaitIndex}. Inode-table ranges also name the files whose data lives
 * inline in those inodes (ext4 {@code inline_data}).
 */
public final class Ext4Holder implements Holder {
    private final Mount mount;
    private final FilesystemInfo info;
    private final int deviceCookie;
    private final List<HiddenMetadata> hiddenMetadata;
    private final LiveReverseMap reverseMap;

    Ext4Holder(Mount mount, FilesystemInfo info, int deviceCookie, List<HiddenMetadata> hiddenMetadata,
               LiveReverseMap reverseMap) {
        this.mount = Objects.requireNonNull(mount, "mount is null");
        this.info = Objects.requireNonNull(info, "info is null");
        this.deviceCookie = deviceCookie;
        this.hiddenMetadata = List.copyOf(hiddenMetadata);
        this.reverseMap = Objects.requireNonNull(reverseMap, "reverseMap is null");
    }

    @Override
    public Mount mount() {
        return mount;
    }

    /** The hint rewritten for this mount from the kind; a kind this plugin does not make keeps its hint. */
    @Override
    public String repairHint(MetadataOwner damaged) {
        return Ext4MetadataKind.repairHintNow(damaged, mount);
    }

    @Override
    public FilesystemInfo info() {
        return info;
    }

    /** How far the reverse-map index is; for the Filesystem MBean. */
    public IndexBuildProgress indexProgress() {
        return reverseMap.progress();
    }

    /** Waits for the first index build; true once owners of data can be named. */
    public boolean awaitIndex(Duration timeout) throws InterruptedException {
        return reverseMap.awaitIndex(timeout);
    }

    /** Every path of an inode (all hard links) as of the current index. */
    public List<LinuxPath> pathsOf(long inode) {
        return reverseMap.pathsOf(inode);
    }

    /** The bad-block list {@code e2fsck -l} reads for the given damaged ranges, in this filesystem's blocks. */
    public BadBlockList badBlockList(List<BadBlockList.Range> damaged) {
        return BadBlockList.of(info.blockSize(), damaged, 1_000_000);
    }

    @Override
    public Optional<ReverseMapStatus> reverseMapStatus() {
        return Optional.of(reverseMap.status());
    }

    @Override
    public boolean awaitReverseMap(Duration timeout) throws InterruptedException {
        return reverseMap.awaitIndex(timeout);
    }

    /** {@inheritDoc} The text of {@link #badBlockList}: filesystem block numbers, one per line. */
    @Override
    public Optional<String> offlineBadBlockList(List<FailureRange> damaged) {
        return Optional.of(badBlockList(damaged.stream().map(range -> new BadBlockList.Range(range.offset(),
                range.length())).toList()).text());
    }

    @Override
    public List<Owner> notifyFailure(FailureRange range) throws IOException {
        return notifyFailure(range, reverseMap.question());
    }

    /** One question for the whole batch: one look at the filesystem's changes, at most one index rebuild. */
    @Override
    public List<List<Owner>> notifyFailures(List<FailureRange> ranges) throws IOException {
        return reverseMap.answerAll(ranges, this::notifyFailure);
    }

    /** The index's own names, checked live: the agent need not walk the tree again. */
    @Override
    public Optional<PathNames> pathNames() {
        return Optional.of(reverseMap::verifiedPaths);
    }

    private List<Owner> notifyFailure(FailureRange range, Question question) throws IOException {
        long end = Math.min(range.end(), info.size());
        if (range.offset() >= info.size()) {
            return List.of(new UnknownOwner(range.offset(), range.length(), "beyond the end of the filesystem"));
        }
        List<Owner> owners = new ArrayList<>();
        if (range.end() > info.size()) {
            owners.add(new UnknownOwner(info.size(), range.end() - info.size(), "beyond the end of the filesystem"));
        } else {
            // Fast path: live files that map every byte are the whole answer (no block is both a file's and
            // metadata or free), so GETFSMAP (~30 us on ext4, which lists all fixed metadata per call) is skipped.
            Optional<List<FileOwner>> files = reverseMap.ownersIfAllConfirmed(range.offset(), range.end(), question);
            if (files.isPresent()) {
                return List.copyOf(files.get());
            }
        }
        List<ByteSpan> inodeTables = new ArrayList<>();
        // ext4's GETFSMAP (Linux 6.18) leaves out in-use space of block groups with no free block: a gap may hold
        // file data, so the index is asked, and only what it cannot confirm is unknown.
        List<ByteSpan> allocated = AllocatedRanges.classify(mount, deviceCookie, range.offset(), end, owners,
                (record, from, to, named, rest) -> classify(record, from, to, named, rest, inodeTables),
                // Not in GETFSMAP's answer at all (the boot block of 1 KiB blocks, full groups): metadata the plugin
                // located is named, the rest asked of the index.
                (from, to, named, rest) -> splitHiddenMetadata(from, to, named, rest));
        owners.addAll(AllocatedRanges.indexedOwners(reverseMap, allocated, question));
        for (ByteSpan part : AllocatedRanges.merge(inodeTables)) {
            if (reverseMap.index().isPresent()) {
                owners.addAll(reverseMap.inlineOwners(part.start(), part.end(), question));
            }
        }
        owners.sort(Comparator.comparingLong(Owner::physicalOffset));
        return owners;
    }

    private void classify(FsmapRecord record, long from, long to, List<Owner> owners, List<ByteSpan> allocated,
                          List<ByteSpan> inodeTables) {
        if (!record.isSpecialOwner()) {
            // ext4 never names inodes; if a future kernel does, the index still decides.
            allocated.add(new ByteSpan(from, to));
            return;
        }
        if (record.owner() == FsmapRecord.OWN_FREE) {
            owners.add(new FreeSpaceOwner(from, to - from));
            return;
        }
        Optional<Ext4MetadataKind> kind = Ext4MetadataKind.of(record.owner());
        if (kind.isPresent()) {
            owners.add(kind.get().owner(mount, from, to - from));
            if (kind.get() == Ext4MetadataKind.INODE_TABLE) {
                inodeTables.add(new ByteSpan(from, to));
            }
            return;
        }
        // OWN_UNKNOWN: file data, directories, extent-tree and xattr blocks, the journal, the resize inode's block.
        splitHiddenMetadata(from, to, owners, allocated);
    }

    /** Metadata GETFSMAP calls unknown, located by the plugin; sorted by start. */
    record HiddenMetadata(Ext4MetadataKind kind, long start, long end) implements AllocatedRanges.KnownExtent {
    }

    private void splitHiddenMetadata(long from, long to, List<Owner> owners, List<ByteSpan> allocated) {
        AllocatedRanges.splitAround(from, to, hiddenMetadata,
                (extent, start, stop) -> owners.add(extent.kind().owner(mount, start, stop - start)), allocated);
    }

    /**
     * Every allocated extent (metadata, journal, file data, directories), merged: the complement of free
     * space, less the unwritten preallocation the live files confirm. It is computed from the free-space records because ext4's GETFSMAP (Linux 6.18) leaves out the
     * in-use space of block groups that have no free block, so the allocated records alone would miss data.
     */
    @Override
    public void forEachWrittenExtent(long from, long to, ExtentConsumer consumer) throws IOException {
        if (from < 0 || to <= from) {
            throw new IllegalArgumentException("range must be non-empty, was [" + from + ", " + to + ")");
        }
        long end = Math.min(to, info.size());
        if (from >= end) {
            return;
        }
        AllocatedRanges.forEachNotFree(mount, deviceCookie, from, end, reverseMap.confirmedUnwritten(from, end),
                consumer);
    }

    /** Stops the index thread (see {@link LiveReverseMap#close}); the device is open only while it is read. */
    @Override
    public void close() throws IOException {
        reverseMap.close();
    }
}
