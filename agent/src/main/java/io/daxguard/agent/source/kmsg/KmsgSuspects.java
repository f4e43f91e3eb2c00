package io.daxguard.agent.source.kmsg;

import io.daxguard.agent.failure.DeviceRef;
import io.daxguard.agent.failure.DeviceResolver;
import io.daxguard.agent.failure.FailureSink;
import io.daxguard.agent.failure.FailureTuple;
import io.daxguard.agent.failure.SourceCounters;
import io.daxguard.agent.ranges.ByteRange;
import io.daxguard.agent.source.probe.AlreadyKnown;
import io.daxguard.agent.source.probe.SuspectProbe;
import io.daxguard.agent.topology.MountTable;
import io.daxguard.spi.Mount;
import io.daxguard.support.linux.FilesystemStats;
import io.daxguard.support.linux.NativeCallException;
import io.daxguard.support.linux.NativeFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The kernel log's block error lines, confirmed: a line names the start of a failed request (or a buffer's block),
 * so a suspect window from there is re-read by the shared {@link SuspectProbe} and only the blocks that fail again
 * are submitted. The probe's own re-reads make the kernel log more errors: after each probe a marker line
 * {@code daxguard: probe N ...} is written to the log, and lines inside a probed window that come before their marker
 * are the probe's own and are passed over; a window whose marker never came stops muting its region after
 * {@value #MARKER_WAIT_MILLIS} ms. A window that cannot be probed is submitted unconfirmed rather than lost.
 *
 * <p>Not thread safe: the kernel log source's reading thread owns it.
 */
final class KmsgSuspects {
    private static final System.Logger LOG = System.getLogger(KmsgSuspects.class.getName());
    private static final long DEFAULT_WINDOW = 1L << 20;
    /** When no filesystem is mounted on a device, a buffer error's block is taken as a page. */
    private static final long DEFAULT_BUFFER_BLOCK = 4096;
    /**
     * How long a probed window waits for its marker. The kernel logs a probe's own errors while it runs and the
     * marker right after, so both are read within moments; a marker that never comes (the write failed, the record
     * was overwritten) must not mute the window's region for good.
     */
    static final long MARKER_WAIT_MILLIS = 30_000;
    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");
    /** open(2) of a node whose device is gone. */
    private static final int ENXIO = 6;
    private static final int ENODEV = 19;

    private final Path kmsg;
    private final Path sysfs;
    private final SuspectProbe probe;
    private final DeviceResolver resolver;
    private final FailureSink sink;
    private final AlreadyKnown known;
    private final SourceCounters counters;
    private final Clock clock;
    private final List<ProbedWindow> ownLines = new ArrayList<>();
    private long nextProbe = 1;

    KmsgSuspects(Path kmsg, Path sysfs, SuspectProbe probe, FailureSink sink, AlreadyKnown known,
                 SourceCounters counters, Clock clock) {
        this.kmsg = kmsg;
        this.sysfs = sysfs;
        this.probe = probe;
        this.resolver = new DeviceResolver(sysfs);
        this.sink = sink;
        this.known = known;
        this.counters = counters;
        this.clock = clock;
    }

    /** {@code I/O error, dev X, sector S}: the request's start, on the whole disk; its length is not said. */
    void requestError(String device, long sector) throws InterruptedException {
        suspect(device, sector * ByteRange.SECTOR, requestWindow(device));
    }

    /** {@code Buffer I/O error on dev X, logical block B}: a block of the device's buffer size. */
    void bufferError(String device, long logicalBlock) throws InterruptedException {
        long block = bufferBlockSize(device);
        suspect(device, logicalBlock * block, block);
    }

    /** A probe marker came back: the lines of the probes up to it are all read. */
    void markerSeen(long probeNumber) {
        ownLines.removeIf(window -> window.probe <= probeNumber);
    }

    /**
     * A suspect window, confirmed by a probe. When the probe cannot run, the window is recorded unconfirmed
     * ({@link KernelLogSource#UNCONFIRMED_SOURCE}) rather than lost.
     */
    private void suspect(String device, long offset, long window) throws InterruptedException {
        try {
            confirmByProbe(device, offset, window);
        } catch (IOException | RuntimeException probeFailed) {
            keepUnconfirmed(device, offset, window, probeFailed);
        }
    }

    /**
     * The window of a line whose probe failed, submitted as {@link KernelLogSource#UNCONFIRMED_SOURCE} on the device the line
     * names (cut at its end when its size is still known). A device that has no number any more cannot be recorded:
     * that is logged.
     */
    private void keepUnconfirmed(String device, long offset, long window, Exception why) throws InterruptedException {
        counters.increment(isGone(why) ? "deviceGone" : "probeFailed");
        DeviceRef ref;
        try {
            ref = resolver.ofKernelName(device);
        } catch (IllegalArgumentException gone) {
            LOG.log(System.Logger.Level.WARNING, "the kernel logged an error on " + device + " at byte " + offset
                    + "; it cannot be probed (" + why.getMessage() + ") and is no block device now, so there is no "
                    + "device number to record it under");
            return;
        }
        long length = window;
        try {
            length = Math.min(window, probe.deviceSize(device) - offset);
        } catch (IOException | RuntimeException sizeUnknown) {
            // The sysfs entry went too: the whole window is kept.
        }
        if (length <= 0) {
            counters.increment("unconfirmed");
            return;
        }
        counters.increment("unprobed");
        LOG.log(System.Logger.Level.WARNING, "could not probe " + device + " bytes " + offset + "+" + length + " ("
                + why.getMessage() + "); recorded unconfirmed, as source " + KernelLogSource.UNCONFIRMED_SOURCE);
        sink.submit(FailureTuple.mediaError(ref, new ByteRange(offset, length), KernelLogSource.UNCONFIRMED_SOURCE, clock.instant()));
    }

    /** Whether a probe failed because the device went (its sysfs entry or node, or the device behind the node). */
    private static boolean isGone(Exception failure) {
        return failure instanceof NoSuchFileException || failure instanceof NativeCallException call
                && (call.errno() == NativeCallException.ENOENT || call.errno() == ENXIO || call.errno() == ENODEV);
    }

    private void confirmByProbe(String device, long offset, long window) throws IOException, InterruptedException {
        long now = clock.millis();
        if (ownLines.removeIf(own -> now - own.madeMillis > MARKER_WAIT_MILLIS)) {
            counters.increment("markerLost"); // its marker never came: the window must not mute its region for good
        }
        for (ProbedWindow own : ownLines) {
            if (own.device.equals(device) && offset >= own.offset && offset < own.end) {
                counters.increment("ownLines");
                return;
            }
        }
        Optional<DeviceRef> ref = resolve(device);
        if (ref.isEmpty() || known.touches(ref.get().number(), offset, ByteRange.SECTOR)) {
            return;
        }
        counters.increment("suspects");
        SuspectProbe.Outcome outcome = probe.probe(ref.get(), offset, window);
        if (outcome.probed().isEmpty()) {
            counters.increment("unconfirmed");
            return;
        }
        ByteRange probed = outcome.probed().get();
        List<ByteRange> bad = outcome.bad();
        long probeNumber = nextProbe++;
        ownLines.add(new ProbedWindow(device, probed.offset(), probed.end(), probeNumber, clock.millis()));
        writeMarker(probeNumber, "of " + device + " bytes " + probed + ": " + bad.size() + " bad run(s)");
        if (bad.isEmpty()) {
            counters.increment("unconfirmed");
            LOG.log(System.Logger.Level.INFO, "kernel logged an error on " + device + " at byte " + offset
                    + " but every sector reads back now (transient, or rewritten since)");
            return;
        }
        for (ByteRange range : bad) {
            counters.increment("confirmed");
            sink.submit(FailureTuple.mediaError(ref.get(), range, "kmsg", clock.instant()));
        }
    }

    /** The device a log line names, if it is still there (it may have gone since the kernel wrote the line). */
    Optional<DeviceRef> resolve(String device) {
        try {
            return Optional.of(resolver.ofKernelName(device));
        } catch (IllegalArgumentException gone) {
            counters.increment("deviceGone");
            LOG.log(System.Logger.Level.WARNING, "kernel log names " + device + ", which is not a block device now, "
                    + "so there is no device number to record its failure under: " + gone.getMessage());
            return Optional.empty();
        }
    }

    private void writeMarker(long probe, String detail) {
        try {
            Files.writeString(kmsg, KernelLogParser.markerText(probe, detail) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.WRITE);
        } catch (IOException e) {
            // Without markers the probe's own lines cannot be told apart; forget the window rather than
            // skip real lines forever. The known-damage check still stops a probe from finding news twice.
            ownLines.removeIf(window -> window.probe == probe);
            LOG.log(System.Logger.Level.WARNING, "cannot write a marker to " + kmsg + ": " + e.getMessage());
        }
    }

    private long requestWindow(String device) {
        try {
            long kib = Long.parseLong(Files.readString(sysfs.resolve("class/block").resolve(device)
                    .resolve("queue/max_sectors_kb")).strip());
            return Math.min(SuspectProbe.MAX_WINDOW, Math.max(4096, kib * 1024));
        } catch (IOException | NumberFormatException e) {
            return DEFAULT_WINDOW;
        }
    }

    /**
     * The size of a "logical block" in a {@code Buffer I/O error} line: the buffer size of the device, which is the
     * block size of the filesystem mounted on it (4096 when none is, or it cannot be read).
     */
    private long bufferBlockSize(String device) {
        try {
            DeviceRef ref = resolver.ofKernelName(device);
            for (Mount mount : MountTable.read(MOUNTINFO)) {
                if (mount.device().equals(ref.number())) {
                    try (NativeFile root = NativeFile.openDirectory(mount.mountPoint())) {
                        return FilesystemStats.of(root).blockSize();
                    }
                }
            }
        } catch (IOException | RuntimeException unknown) {
            // a device gone, a mount table that cannot be read: the page-sized guess, widened by the probe anyway
        }
        return DEFAULT_BUFFER_BLOCK;
    }

    /** A range this source re-read, whose kernel log lines up to marker {@code probe} are its own. */
    private record ProbedWindow(String device, long offset, long end, long probe, long madeMillis) {
    }
}
