package io.daxguard.testkit.conformance.toy;

import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.ExtentConsumer;
import io.daxguard.spi.FailureRange;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.FilesystemInfo;
import io.daxguard.spi.Fork;
import io.daxguard.spi.FreeSpaceOwner;
import io.daxguard.spi.Holder;
import io.daxguard.spi.LinuxPath;
import io.daxguard.spi.MetadataOwner;
import io.daxguard.spi.Mount;
import io.daxguard.spi.Owner;
import io.daxguard.spi.UnknownOwner;
import io.daxguard.support.linux.DirectoryWalk;
import io.daxguard.support.linux.Fiemap;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.support.linux.FileGeneration;
import io.daxguard.support.linux.FsmapRecord;
import io.daxguard.support.linux.Getfsmap;
import io.daxguard.support.linux.NativeCallException;
import io.daxguard.support.linux.NativeFile;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/** The toy plugin's holder: see {@link ToyPlugin}. Thread-safe (each call has its own state) unless flawed. */
final class ToyHolder implements Holder {
    /** One extent of one file, as FIEMAP gave it. */
    private record FileExtent(long inode, long generation, FiemapExtent extent) {
    }

    private final Mount mount;
    private final FilesystemInfo info;
    private final Set<Flaw> flaws;
    private final NativeFile leaked;
    private final List<FileExtent> remembered;
    private final List<long[]> reusedBuffer = new ArrayList<>();

    ToyHolder(Mount mount, FilesystemInfo info, Set<Flaw> flaws) throws IOException {
        this.mount = mount;
        this.info = info;
        this.flaws = flaws;
        this.leaked = flaws.contains(Flaw.LEAKS_DESCRIPTOR) ? NativeFile.openDirectory(mount.mountPoint()) : null;
        this.remembered = flaws.contains(Flaw.REMEMBERS_FILES) ? walk() : null;
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
    public List<DeviceNumber> memberDevices() {
        return flaws.contains(Flaw.NAMES_NO_MEMBERS) ? List.of() : List.of(mount.device());
    }

    @Override
    public List<Owner> notifyFailure(FailureRange range) throws IOException {
        List<Owner> owners = new ArrayList<>();
        for (FileExtent file : flaws.contains(Flaw.REMEMBERS_FILES) ? remembered : walk()) {
            FiemapExtent extent = file.extent();
            long from = Math.max(range.offset(), extent.physical());
            long to = Math.min(range.end(), extent.physicalEnd());
            if (from >= to) {
                continue;
            }
            if (flaws.contains(Flaw.DOES_NOT_TRIM)) {
                from = extent.physical();
                to = extent.physicalEnd();
            }
            FileOwner owner = new FileOwner(file.inode(), flaws.contains(Flaw.LOSES_GENERATIONS) ? 0 : file.generation(),
                    Fork.DATA, extent.logical() + (from - extent.physical()), from, to - from, extent.isShared(),
                    extent.isUnwritten(), flaws.contains(Flaw.WRONG_SUBVOLUME) ? 5 : FileOwner.ONE_INODE_SPACE);
            boolean sharerSeen = owners.stream().anyMatch(o -> o.physicalOffset() == owner.physicalOffset()
                    && o.length() == owner.length());
            if (!(flaws.contains(Flaw.DROPS_SHARERS) && sharerSeen)) {
                owners.add(owner);
            }
        }
        List<long[]> special = buffer();
        try (NativeFile root = NativeFile.openMountPoint(mount.mountPoint(), mount.device())) {
            Getfsmap.query(root, mount.device().encoded(), range.offset(), range.end(), Getfsmap.DEFAULT_BATCH,
                    record -> {
                        boolean leftOut = record.owner() == FsmapRecord.OWN_FREE
                                && flaws.contains(Flaw.LEAVES_FREE_SPACE_OUT);
                        if (record.isSpecialOwner() && record.owner() != FsmapRecord.OWN_UNKNOWN && !leftOut) {
                            special.add(new long[] {Math.max(record.physical(), range.offset()),
                                    Math.min(record.end(), range.end()), record.owner()});
                        }
                        return true;
                    });
        }
        for (long[] record : special) {
            if (record[2] != FsmapRecord.OWN_FREE) {
                owners.add(metadata(record[0], record[1] - record[0], record[2]));
            } else if (!flaws.contains(Flaw.FREE_AS_UNKNOWN)) {
                owners.add(new FreeSpaceOwner(record[0], record[1] - record[0]));
            }
        }
        owners.sort(Comparator.comparingLong(Owner::physicalOffset));
        if (flaws.contains(Flaw.ONLY_FIRST_OWNER)) {
            owners.removeIf(owner -> owner.physicalOffset() > range.offset());
        }
        return flaws.contains(Flaw.LEAVES_FREE_SPACE_OUT) ? owners : withUnknownGaps(range, owners);
    }

    @Override
    public List<List<Owner>> notifyFailures(List<FailureRange> ranges) throws IOException {
        List<List<Owner>> answers = new ArrayList<>();
        for (FailureRange range : ranges) {
            if (flaws.contains(Flaw.BATCH_ROUNDS_TO_BLOCKS)) {
                long block = info.blockSize();
                long from = range.offset() / block * block;
                long to = (range.end() + block - 1) / block * block;
                range = FailureRange.of(from, to - from);
            }
            answers.add(notifyFailure(range));
        }
        return answers;
    }

    private MetadataOwner metadata(long offset, long length, long owner) {
        String hint = flaws.contains(Flaw.BLANK_REPAIR_HINT) ? "" : "Unmount " + mount.mountPoint()
                + " and check it with its filesystem's checker (fsck -f " + mount.source() + ").";
        return new MetadataOwner(mount.fsType() + ".special-" + Long.toHexString(owner),
                "filesystem metadata (GETFSMAP owner 0x" + Long.toHexString(owner) + ")", hint, offset, length);
    }

    /** The owners, with an UnknownOwner for each run of bytes none of them covers. */
    private static List<Owner> withUnknownGaps(FailureRange range, List<Owner> owners) {
        List<Owner> complete = new ArrayList<>();
        long covered = range.offset();
        for (Owner owner : owners) {
            if (owner.physicalOffset() > covered) {
                complete.add(new UnknownOwner(covered, owner.physicalOffset() - covered, "no file extent or"
                        + " filesystem record covers it (directory blocks, extent maps: the toy reads only file data)"));
            }
            complete.add(owner);
            covered = Math.max(covered, owner.physicalEnd());
        }
        if (covered < range.end()) {
            complete.add(new UnknownOwner(covered, range.end() - covered, "no file extent or filesystem record"
                    + " covers it"));
        }
        return complete;
    }

    /**
     * File data (FIEMAP, not unwritten) and metadata (GETFSMAP special owners but free and unknown), trimmed to
     * the window, merged where they meet or overlap (a shared block once), then handed out with no descriptor open.
     */
    @Override
    public void forEachWrittenExtent(long from, long to, ExtentConsumer consumer) throws IOException {
        if (from >= to) {
            return;
        }
        List<long[]> intervals = buffer();
        NativeFile root = NativeFile.openMountPoint(mount.mountPoint(), mount.device());
        try {
            for (FileExtent file : walk()) {
                FiemapExtent extent = file.extent();
                if (!extent.isUnwritten() && extent.physical() < to && from < extent.physicalEnd()) {
                    intervals.add(new long[] {Math.max(from, extent.physical()), Math.min(to, extent.physicalEnd())});
                }
            }
            Getfsmap.query(root, mount.device().encoded(), from, to, Getfsmap.DEFAULT_BATCH, record -> {
                boolean free = record.owner() == FsmapRecord.OWN_FREE;
                if (record.isSpecialOwner() && record.owner() != FsmapRecord.OWN_UNKNOWN
                        && (!free || flaws.contains(Flaw.SCRUBS_FREE_SPACE))) {
                    intervals.add(new long[] {Math.max(from, record.physical()), Math.min(to, record.end())});
                }
                return true;
            });
        } finally {
            if (!flaws.contains(Flaw.HOLDS_MOUNT_DURING_SCRUB)) {
                root.close();
            }
        }
        try {
            intervals.sort(Comparator.comparingLong((long[] interval) -> interval[0]));
            List<long[]> merged = new ArrayList<>();
            for (long[] interval : intervals) {
                long[] last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
                if (last != null && interval[0] <= last[1] && !flaws.contains(Flaw.SCRUBS_SHARED_BLOCKS_TWICE)) {
                    last[1] = Math.max(last[1], interval[1]);
                } else {
                    merged.add(interval.clone());
                }
            }
            List<long[]> delivered = flaws.contains(Flaw.NOT_THREAD_SAFE) ? intervals : merged;
            if (delivered == intervals) {
                intervals.clear();
                intervals.addAll(merged);
            }
            for (int i = 0; i < delivered.size(); i++) {
                consumer.accept(delivered.get(i)[0], delivered.get(i)[1] - delivered.get(i)[0]);
            }
        } finally {
            root.close(); // closing twice is harmless
        }
    }

    /** A new list per call; with {@link Flaw#NOT_THREAD_SAFE}, one list reused by every call. */
    private List<long[]> buffer() {
        if (flaws.contains(Flaw.NOT_THREAD_SAFE)) {
            reusedBuffer.clear();
            return reusedBuffer;
        }
        return new ArrayList<>();
    }

    /** Every regular file's extents with a place on the device: a walk of the tree, then FIEMAP of each file. */
    private List<FileExtent> walk() throws IOException {
        List<LinuxPath> directories = new ArrayList<>(List.of(mount.mountPoint()));
        List<LinuxPath> files = new ArrayList<>();
        DirectoryWalk.walk(mount.mountPoint(), (parent, name, inode, type) -> {
            LinuxPath path = directories.get(parent).join(LinuxPath.of(name));
            if (type == DirectoryWalk.DT_DIR) {
                directories.add(path);
                return true;
            }
            if (type == DirectoryWalk.DT_REG) {
                files.add(path);
            }
            return false;
        });
        List<FileExtent> extents = new ArrayList<>();
        for (LinuxPath path : files) {
            try (NativeFile file = NativeFile.openReadOnly(path)) {
                long inode = file.status().inode();
                long generation = FileGeneration.of(file);
                Fiemap.map(file, 0, Long.MAX_VALUE, 0, Fiemap.DEFAULT_BATCH, extent -> {
                    if (!extent.hasNoPhysicalAddress()) {
                        extents.add(new FileExtent(inode, generation, extent));
                    }
                    return true;
                });
            } catch (NativeCallException goneMeanwhile) {
                // deleted or replaced since the walk read its name: it owns nothing now
            }
        }
        return extents;
    }

    @Override
    public void close() throws IOException {
        if (leaked != null) {
            leaked.close();
        }
    }
}
