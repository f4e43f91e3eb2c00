package io.daxguard.agent.recovery;

import io.daxguard.agent.topology.BlockDevice;
import io.daxguard.agent.topology.DirectIoAlignment;
import io.daxguard.spi.DeviceNumber;
import io.daxguard.support.linux.FileStatus;
import io.daxguard.support.linux.FilesystemControl;
import io.daxguard.support.linux.FilesystemControlException;
import io.daxguard.support.linux.FsmapRecord;
import io.daxguard.support.linux.Getfsmap;
import io.daxguard.support.linux.NativeCallException;
import io.daxguard.support.linux.NativeFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Writes zeros over free space of a mounted filesystem through its block device, which clears pmem poison there (and
 * a bad sector of a disk that remaps on write), only while the filesystem cannot allocate those bytes: it is frozen
 * first ({@code FIFREEZE}: every write, and so every allocation, waits), then {@code GETFSMAP} must call every byte
 * of every range free; otherwise nothing is written. It is always thawed again, whatever happened in between.
 *
 * <p>The device is opened {@code O_WRONLY | O_DIRECT} without {@code O_EXCL} (which a mounted device refuses) by its
 * node under {@code /dev}, and the opened descriptor must be a block device with the number the damage was recorded
 * on. Ranges are whole pages and whole logical blocks (pmem clears poison only on whole-page writes), written from an
 * aligned buffer, then read back with {@code O_DIRECT}: a range is clean when it reads back zeros.
 */
final class FreeSpaceClearing {
    private final Path devices;
    private final Path sysfs;

    /**
     * @param devices where device nodes are ({@code /dev})
     * @param sysfs   where sysfs is (the device's logical block size and DMA alignment)
     */
    FreeSpaceClearing(Path devices, Path sysfs) {
        this.devices = Objects.requireNonNull(devices, "devices is null");
        this.sysfs = Objects.requireNonNull(sysfs, "sysfs is null");
    }

    /** What became of the ranges: those that read back zeros, and why the others did not. */
    record Outcome(List<PageRange> clean, List<String> bad, String thawProblem) {
    }

    /** The alignment of {@code device}, to round the ranges with before {@link #clear}. */
    DirectIoAlignment alignment(BlockDevice device) throws IOException {
        return DirectIoAlignment.ofDevice(sysfs, device.name());
    }

    /**
     * The ranges, in device bytes, rounded out to whole pages and logical blocks, cut at the device's last whole
     * logical block, merged.
     */
    static List<PageRange> rounded(List<PageRange> ranges, DirectIoAlignment alignment, long deviceSize) {
        long unit = PageRange.unit(alignment);
        long limit = alignment.floor(deviceSize);
        List<PageRange> merged = new ArrayList<>();
        ranges.stream().map(range -> new PageRange(Math.floorDiv(range.start(), unit) * unit,
                        Math.min(limit, PageRange.ceil(range.end(), unit))))
                .filter(range -> !range.isEmpty()).sorted((a, b) -> Long.compare(a.start(), b.start()))
                .forEach(range -> {
                    if (!merged.isEmpty() && merged.get(merged.size() - 1).end() >= range.start()) {
                        PageRange last = merged.remove(merged.size() - 1);
                        merged.add(new PageRange(last.start(), Math.max(last.end(), range.end())));
                    } else {
                        merged.add(range);
                    }
                });
        return merged;
    }

    /**
     * Freezes the filesystem of {@code root}, checks that every byte of {@code ranges} is free, writes zeros over them
     * through {@code device}, reads them back, and thaws it.
     *
     * @param root   the filesystem's root, its UUID checked
     * @param device the block device the filesystem is on, as the topology has it
     * @param ranges whole pages and logical blocks of {@code device} ({@link #rounded})
     * @throws IllegalStateException a refusal, nothing written: a byte is not free, the filesystem is frozen already,
     *                               the device node is not the device; the filesystem is thawed before it is thrown
     */
    Outcome clear(FilesystemRoot root, BlockDevice device, List<PageRange> ranges, DirectIoAlignment alignment)
            throws IOException {
        if (!device.number().equals(root.device())) {
            throw new IllegalStateException("refused: the filesystem at " + root.mountPoint() + " is on device "
                    + root.device() + " now, not " + device.number() + " (" + device.name() + "); nothing written");
        }
        try {
            FilesystemControl.freeze(root.descriptor());
        } catch (FilesystemControlException e) {
            throw new IllegalStateException("refused: cannot freeze " + root.mountPoint() + " (" + e.getMessage()
                    + "): the bytes are written only while a freeze of daxguard's own keeps the filesystem from"
                    + " allocating them; thaw it first; nothing written", e);
        }
        Outcome outcome = null;
        IOException failed = null;
        RuntimeException refused = null;
        try {
            outcome = whileFrozen(root, device, ranges, alignment);
        } catch (IOException e) {
            failed = e;
        } catch (RuntimeException e) {
            refused = e;
        } finally {
            String thawProblem = thaw(root);
            if (thawProblem != null) {
                String loud = "; " + thawProblem;
                if (failed != null) {
                    failed = new IOException(failed.getMessage() + loud, failed);
                } else if (refused != null) {
                    refused = new IllegalStateException(refused.getMessage() + loud, refused);
                } else if (outcome != null) {
                    outcome = new Outcome(outcome.clean(), outcome.bad(), thawProblem);
                }
            }
        }
        if (failed != null) {
            throw failed;
        }
        if (refused != null) {
            throw refused;
        }
        return outcome;
    }

    private Outcome whileFrozen(FilesystemRoot root, BlockDevice device, List<PageRange> ranges,
                                DirectIoAlignment alignment) throws IOException {
        for (PageRange range : ranges) {
            requireFree(root, device.number(), range);
        }
        Path node = devices.resolve(device.name());
        try (NativeFile target = openForWriting(node)) {
            requireTheDevice(target, device);
            for (PageRange range : ranges) {
                RangeIo.writeZerosDirect(target, range, alignment);
            }
            target.fsync();
        }
        List<PageRange> clean = new ArrayList<>();
        List<String> bad = new ArrayList<>();
        try (NativeFile check = NativeFile.openDirect(node)) {
            requireTheDevice(check, device);
            for (PageRange range : ranges) {
                boolean[] zeros = {true};
                try {
                    RangeIo.readDirect(check, range, alignment, (offset, chunk, length) -> {
                        for (int i = 0; i < length && zeros[0]; i++) {
                            zeros[0] = chunk[i] == 0;
                        }
                        return zeros[0];
                    });
                    if (zeros[0]) {
                        clean.add(range);
                    } else {
                        bad.add(range + ": does not read back zeros");
                    }
                } catch (NativeCallException e) {
                    bad.add(range + ": " + NativeCallException.errnoName(e.errno()));
                }
            }
        }
        return new Outcome(clean, bad, null);
    }

    /** The device node, opened for O_DIRECT writes; a refusal says why in an operator's words. */
    private static NativeFile openForWriting(Path node) {
        try {
            return NativeFile.openDirectWrite(node);
        } catch (NativeCallException e) {
            String why = e.errno() == NativeCallException.EBUSY ? "the kernel refuses writes to the device of a mounted"
                    + " filesystem (bdev_allow_write_mounted=0, or CONFIG_BLK_DEV_WRITE_MOUNTED off): "
                    : e.isPermissionDenied() ? "not permitted (a device policy or container may deny it): " : "";
            throw new IllegalStateException("refused: cannot open " + node + " for writing: " + why + e.getMessage()
                    + "; nothing written", e);
        }
    }

    /** The descriptor is the block device the damage was recorded on (not another node under that name). */
    private static void requireTheDevice(NativeFile opened, BlockDevice device) throws NativeCallException {
        FileStatus status = opened.status();
        if (!status.isBlockDevice() || !status.rdev().equals(device.number())) {
            throw new IllegalStateException("refused: " + opened.name() + " is not the block device "
                    + device.number() + " (" + device.name() + ") the filesystem is on; nothing written");
        }
    }

    /**
     * Every byte of {@code range} is free space as {@code GETFSMAP} answers now (the filesystem frozen: it stays so
     * until the thaw).
     *
     * @throws IllegalStateException naming the first byte that is not free, and what holds it
     */
    private static void requireFree(FilesystemRoot root, DeviceNumber device, PageRange range) throws IOException {
        long[] cursor = {range.start()};
        String[] notFree = {null};
        try {
            Getfsmap.query(root.descriptor(), device.encoded(), range.start(), range.end(), Getfsmap.DEFAULT_BATCH,
                    record -> {
                        if (record.end() <= cursor[0]) {
                            return true;
                        }
                        if (record.physical() >= range.end()) {
                            return false;
                        }
                        boolean free = record.isSpecialOwner() && record.owner() == FsmapRecord.OWN_FREE;
                        if (!free || record.physical() > cursor[0]) {
                            notFree[0] = free ? "bytes " + cursor[0] + "-" + (record.physical() - 1)
                                    + " are not listed" : "byte " + Math.max(cursor[0], record.physical()) + " is "
                                    + describe(record);
                            return false;
                        }
                        cursor[0] = record.end();
                        return cursor[0] < range.end();
                    });
        } catch (NativeCallException e) {
            throw new IllegalStateException("refused: cannot tell whether " + range + " is free (" + e.getMessage()
                    + "); record and wait; nothing written", e);
        }
        if (notFree[0] == null && cursor[0] < range.end()) {
            notFree[0] = "bytes " + cursor[0] + "-" + (range.end() - 1) + " are not listed";
        }
        if (notFree[0] != null) {
            throw new IllegalStateException("refused: " + range + " of " + root.mountPoint() + " is not all free space"
                    + " now (" + notFree[0] + "); the damage stays recorded until its bytes are free again (record and"
                    + " wait); nothing written");
        }
    }

    private static String describe(FsmapRecord record) {
        if (!record.isSpecialOwner()) {
            return "data of inode " + record.owner();
        }
        return record.owner() == FsmapRecord.OWN_UNKNOWN ? "allocated (owner unknown)" : "filesystem metadata";
    }

    /** FITHAW; null when thawed, else what went wrong, in words that say it stays frozen. */
    private static String thaw(FilesystemRoot root) {
        try {
            FilesystemControl.thaw(root.descriptor());
            return null;
        } catch (FilesystemControlException e) {
            return "THE THAW FAILED, " + root.mountPoint() + " may still be frozen: " + e.getMessage()
                    + "; thaw it with `daxguard thaw " + root.mountPoint() + "` or `fsfreeze -u " + root.mountPoint()
                    + "`";
        }
    }
}
