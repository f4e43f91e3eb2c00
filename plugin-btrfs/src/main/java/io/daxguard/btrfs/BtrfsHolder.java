package io.daxguard.btrfs;

import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.ExtentConsumer;
import io.daxguard.spi.FailureRange;
import io.daxguard.spi.FilesystemInfo;
import io.daxguard.spi.Holder;
import io.daxguard.spi.MemberFailure;
import io.daxguard.spi.MetadataOwner;
import io.daxguard.spi.Mount;
import io.daxguard.spi.Owner;
import io.daxguard.spi.PathNames;
import io.daxguard.spi.Redundancy;
import io.daxguard.spi.RepairOutcome;
import io.daxguard.spi.UnknownOwner;
import io.daxguard.support.index.ExtentMerger;
import io.daxguard.support.linux.FileStatus;
import io.daxguard.support.linux.FilesystemStats;
import io.daxguard.support.linux.NativeCallException;
import io.daxguard.support.linux.NativeFile;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Holds one mounted btrfs filesystem, over one device or several, and answers from its own trees: a member's byte
 * is placed in a device extent (device tree), its chunk (chunk tree) gives the logical address and the profile, the
 * extent tree says what is allocated there, and {@code LOGICAL_INO_V2} names every file of every subvolume and
 * snapshot using a data extent.
 *
 * <p>Each query opens the mount point for its own ioctls and closes it again (a kept descriptor would make
 * {@code umount} fail with EBUSY), and checks it is still this filesystem by its fsid: btrfs shows a subvolume's
 * own anonymous device number in {@code stat}, not the mount table's, so the device number cannot tell. The holder
 * keeps nothing mutable but its closed flag; any number of callers may query at once.
 */
final class BtrfsHolder implements Holder {
    /** BTRFS_SUPER_INFO_OFFSET and the mirrors at 16 KiB << 12 and << 24 of every device. */
    static final long[] SUPERBLOCKS = {64L << 10, 64L << 20, 256L << 30};
    static final int SUPERBLOCK_SIZE = 4096;
    static final long BTRFS_SUPER_MAGIC = 0x9123683EL;
    /** The errno btrfs gives for a tree block that fails its checks (structure, checksum, generation). */
    static final int EUCLEAN = 117;

    private final Mount mount;
    private final FilesystemInfo info;
    private final byte[] fsid;
    private final int nodeSize;
    private final KernelMessages messages;
    private final AtomicBoolean closed = new AtomicBoolean();

    BtrfsHolder(Mount mount, FilesystemInfo info, byte[] fsid, int nodeSize) {
        this.mount = Objects.requireNonNull(mount, "mount is null");
        this.info = Objects.requireNonNull(info, "info is null");
        this.fsid = fsid.clone();
        this.nodeSize = nodeSize;
        this.messages = new KernelMessages(this);
    }

    @Override
    public Mount mount() {
        return mount;
    }

    @Override
    public FilesystemInfo info() {
        return info;
    }

    /** Opens the mount point and checks it still shows this filesystem. */
    NativeFile openFilesystem() throws IOException {
        if (closed.get()) {
            throw new IllegalStateException("the holder of " + mount.mountPoint() + " is closed");
        }
        NativeFile opened = NativeFile.openDirectory(mount.mountPoint());
        try {
            long magic = FilesystemStats.of(opened).magic();
            if (magic != BTRFS_SUPER_MAGIC || !Arrays.equals(BtrfsIoctls.fsInfo(opened).fsid(), fsid)) {
                throw new IOException(mount.mountPoint() + " shows another filesystem now, not the btrfs "
                        + info.uuid() + "; the topology must be refreshed");
            }
            return opened;
        } catch (IOException | RuntimeException e) {
            opened.closeQuietly();
            throw e;
        }
    }

    /** Every device of the filesystem btrfs has open now, by device id. */
    static List<Member> members(NativeFile filesystem) throws IOException {
        BtrfsIoctls.FsInfo fs = BtrfsIoctls.fsInfo(filesystem);
        List<Member> members = new ArrayList<>();
        for (long devid = 1; devid <= fs.maxId(); devid++) {
            BtrfsIoctls.DevInfo device = BtrfsIoctls.devInfo(filesystem, devid);
            if (device == null || device.path().length() == 0) {
                continue; // a removed id, or a missing device (degraded mount): nothing to route to it
            }
            try {
                FileStatus status = FileStatus.ofPath(device.path());
                if (status.isBlockDevice()) {
                    members.add(Member.of(devid, device.path(), status.rdev(), device.totalBytes()));
                }
            } catch (NativeCallException gone) {
                // The node was removed (a loop device detached under a mounted filesystem): it cannot fail again.
            }
        }
        return members;
    }

    List<Member> members() throws IOException {
        try (NativeFile filesystem = openFilesystem()) {
            return members(filesystem);
        }
    }

    @Override
    public List<DeviceNumber> memberDevices() throws IOException {
        return members().stream().map(Member::device).toList();
    }

    private Member member(List<Member> members, DeviceNumber device) {
        for (Member member : members) {
            if (member.device().equals(device)) {
                return member;
            }
        }
        throw new IllegalArgumentException("device " + device + " is not a member of the btrfs filesystem on "
                + mount.mountPoint() + " (members: " + members.stream().map(Member::device).toList() + ")");
    }

    /** The filesystem's device, for the calls that name none: the member with the lowest device id. */
    private static Member first(List<Member> members) throws IOException {
        if (members.isEmpty()) {
            throw new IOException("btrfs names no device of its own that is present");
        }
        return members.get(0);
    }

    @Override
    public List<Owner> notifyFailure(FailureRange range) throws IOException {
        Objects.requireNonNull(range, "range is null");
        try (NativeFile filesystem = openFilesystem()) {
            return committedOwners(filesystem, first(members(filesystem)), List.of(range)).get(0);
        }
    }

    /** {@inheritDoc} One descriptor and one reading of the members serve the whole batch. */
    @Override
    public List<List<Owner>> notifyFailures(List<FailureRange> ranges) throws IOException {
        Objects.requireNonNull(ranges, "ranges is null");
        ranges.forEach(range -> Objects.requireNonNull(range, "range is null"));
        try (NativeFile filesystem = openFilesystem()) {
            return committedOwners(filesystem, first(members(filesystem)), ranges);
        }
    }

    @Override
    public List<Owner> notifyFailure(DeviceNumber member, FailureRange range) throws IOException {
        Objects.requireNonNull(member, "member is null");
        Objects.requireNonNull(range, "range is null");
        try (NativeFile filesystem = openFilesystem()) {
            return committedOwners(filesystem, member(members(filesystem), member), List.of(range)).get(0);
        }
    }

    /**
     * The owners of each range, as the committed trees have them: when an answer names free space inside a chunk, it
     * may be an extent written since the last commit (not in the extent tree yet), so the transaction is committed
     * ({@code syncfs}, as btrfs does every 30 s by itself) and the ranges asked again.
     */
    private List<List<Owner>> committedOwners(NativeFile filesystem, Member member, List<FailureRange> ranges)
            throws IOException {
        for (int attempt = 0; ; attempt++) {
            PieceOwners pieces = new PieceOwners(filesystem, nodeSize, new RepairHints(mount, member.path().display()));
            List<List<Owner>> answers = new ArrayList<>(ranges.size());
            for (FailureRange range : ranges) {
                answers.add(owners(filesystem, member, range, pieces));
            }
            if (attempt > 0 || !pieces.namedFreeSpaceInChunk()) {
                return answers;
            }
            try {
                filesystem.syncFilesystem();
            } catch (NativeCallException cannotCommit) {
                return answers; // a failing or read-only filesystem: the committed trees are all there is
            }
        }
    }

    private List<Owner> owners(NativeFile filesystem, Member member, FailureRange range, PieceOwners pieces)
            throws IOException {
        RepairHints hints = new RepairHints(mount, member.path().display());
        DeviceMap map = new DeviceMap(filesystem);
        List<Owner> owners = new ArrayList<>();
        long to = Math.min(range.end(), member.totalBytes());
        for (long[] run : aroundSuperblocks(range.offset(), to, member.totalBytes())) {
            if (run[2] >= 0) {
                owners.add(new MetadataOwner("btrfs.superblock", "superblock copy at " + run[2] + " of "
                        + member.path().display(), hints.superblock(run[2]), run[0], run[1] - run[0]));
                continue;
            }
            List<DeviceMap.Piece> inRun;
            try {
                inRun = map.pieces(member.devid(), run[0], run[1]);
            } catch (NativeCallException e) {
                if (!isUnreadableTree(e)) {
                    throw e;
                }
                owners.add(new UnknownOwner(run[0], run[1] - run[0], "btrfs could not read its device or chunk"
                        + " tree to place these bytes: " + e.getMessage()));
                continue;
            }
            for (DeviceMap.Piece piece : inRun) {
                try {
                    owners.addAll(pieces.of(piece));
                } catch (NativeCallException e) {
                    if (!isUnreadableTree(e)) {
                        throw e;
                    }
                    owners.add(new UnknownOwner(piece.physical(), piece.length(), "btrfs could not read the trees"
                            + " naming what is here (" + piece.chunk().profile().label() + " "
                            + piece.chunk().contents() + " chunk at logical " + piece.chunk().logical() + "): "
                            + e.getMessage()));
                }
            }
        }
        if (range.end() > to) {
            long start = Math.max(range.offset(), to);
            owners.add(new UnknownOwner(start, range.end() - start, "beyond the " + member.totalBytes()
                    + " bytes btrfs uses of " + member.path().display()));
        }
        owners.sort(Comparator.comparingLong(Owner::physicalOffset));
        return owners;
    }

    /**
     * Whether a tree search failed because btrfs could not read a tree block (EIO: no good copy; EUCLEAN: a copy
     * that fails its checks): damaged metadata, which the answer reports rather than fails on.
     */
    static boolean isUnreadableTree(NativeCallException e) {
        return e.errno() == NativeCallException.EIO || e.errno() == EUCLEAN;
    }

    /**
     * {@code [from, to)} cut around the superblock copies: runs {from, to, -1} between them and {from, to, copy's
     * offset} over them, in order.
     */
    static List<long[]> aroundSuperblocks(long from, long to, long deviceBytes) {
        List<long[]> runs = new ArrayList<>();
        long at = from;
        for (long superblock : SUPERBLOCKS) {
            long end = superblock + SUPERBLOCK_SIZE;
            if (end > deviceBytes || end <= at || superblock >= to) {
                continue;
            }
            if (superblock > at) {
                runs.add(new long[] {at, superblock, -1});
            }
            runs.add(new long[] {Math.max(at, superblock), Math.min(to, end), superblock});
            at = Math.min(to, end);
        }
        if (at < to) {
            runs.add(new long[] {at, to, -1});
        }
        return runs;
    }

    @Override
    public void forEachWrittenExtent(long from, long to, ExtentConsumer consumer) throws IOException {
        writtenExtents(null, from, to, consumer, WrittenExtents.BATCH);
    }

    @Override
    public void forEachWrittenExtent(DeviceNumber member, long from, long to, ExtentConsumer consumer)
            throws IOException {
        Objects.requireNonNull(member, "member is null");
        writtenExtents(member, from, to, consumer, WrittenExtents.BATCH);
    }

    /**
     * The written runs of {@code device} (null: the first member) in {@code [from, to)}, a batch at a time: each
     * batch is read with the mount point open ({@link WrittenExtents}) and handed to the consumer after it is closed,
     * so a scrub whose consumer reads the disk for long never makes {@code umount} fail with EBUSY.
     */
    void writtenExtents(DeviceNumber device, long from, long to, ExtentConsumer consumer, int batch)
            throws IOException {
        Objects.requireNonNull(consumer, "consumer is null");
        if (from < 0 || to < from) {
            throw new IllegalArgumentException("window must be a range, was [" + from + ", " + to + ")");
        }
        ExtentMerger merger = new ExtentMerger(consumer);
        long at = from;
        while (at < to) {
            List<long[]> runs = new ArrayList<>();
            long next;
            try (NativeFile filesystem = openFilesystem()) {
                List<Member> members = members(filesystem);
                Member member = device == null ? first(members) : member(members, device);
                next = WrittenExtents.batch(filesystem, member, at, to, nodeSize, runs, batch);
            }
            for (long[] run : runs) {
                merger.add(run[0], run[1]);
            }
            if (next <= at) {
                break; // past the member's end
            }
            at = next;
        }
        merger.flush();
    }

    @Override
    public Redundancy redundancy(DeviceNumber member, FailureRange range) throws IOException {
        Objects.requireNonNull(range, "range is null");
        try (NativeFile filesystem = openFilesystem()) {
            List<Member> present = members(filesystem);
            Member device = member(present, member);
            java.util.Set<Long> presentIds = new java.util.HashSet<>();
            present.forEach(each -> presentIds.add(each.devid()));
            Redundancy least = null;
            long to = Math.min(range.end(), device.totalBytes());
            if (range.offset() < to) {
                for (DeviceMap.Piece piece : new DeviceMap(filesystem).pieces(device.devid(), range.offset(), to)) {
                    if (piece.isAllocated()) {
                        Chunk chunk = piece.chunk();
                        // The profile says how many copies btrfs keeps; a degraded mount lacks the missing devices'.
                        long missing = chunk.stripes().stream().filter(stripe -> !presentIds.contains(stripe.devid()))
                                .count();
                        int copies = (int) Math.max(1, chunk.profile().copiesIn(chunk) - missing);
                        Redundancy here = new Redundancy(chunk.profile().label()
                                + (missing > 0 ? ", degraded: " + missing + " device(s) missing" : ""), copies);
                        if (least == null || here.copies() < least.copies()) {
                            least = here;
                        }
                    }
                }
            }
            return least == null ? Redundancy.NONE : least;
        }
    }

    @Override
    public RepairOutcome repairFromCopies(DeviceNumber member, FailureRange range) throws IOException {
        Objects.requireNonNull(range, "range is null");
        try (NativeFile filesystem = openFilesystem()) {
            Member device = member(members(filesystem), member);
            Redundancy redundancy = redundancy(member, range);
            if (!redundancy.hasOtherCopies()) {
                throw new UnsupportedOperationException("btrfs keeps no other copy of " + range + " of "
                        + device.path() + " (" + redundancy.profile() + ")");
            }
            return Scrub.repair(filesystem, device, range, info.blockSize());
        }
    }

    @Override
    public List<MemberFailure> failuresIn(String kernelMessage) throws IOException {
        return messages.failuresIn(kernelMessage);
    }

    @Override
    public Optional<PathNames> pathNames() {
        return Optional.of(new SubvolumePaths(this));
    }

    @Override
    public void close() {
        closed.set(true);
    }
}
