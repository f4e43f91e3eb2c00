package io.daxguard.agent.source.kmsg;

import io.daxguard.agent.failure.DeviceRef;
import io.daxguard.agent.failure.DeviceResolver;
import io.daxguard.agent.failure.FailureSink;
import io.daxguard.agent.failure.FailureSource;
import io.daxguard.spi.DeviceNumber;

import io.daxguard.agent.failure.FailureTuple;
import io.daxguard.agent.source.probe.MediaProbe;
import io.daxguard.agent.source.probe.AlreadyKnown;
import io.daxguard.agent.source.probe.Handoff;
import io.daxguard.agent.source.probe.SuspectProbe;
import io.daxguard.agent.topology.MountTable;
import io.daxguard.spi.Mount;
import io.daxguard.spi.linux.FilesystemStats;

import io.daxguard.agent.ranges.ByteRange;

import com.sun.jna.Memory;
import io.daxguard.spi.linux.NativeCallException;
import io.daxguard.spi.linux.NativeFile;
import io.daxguard.spi.linux.Poll;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.function.LongSupplier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

/**
 * Listens to the kernel log ({@code /dev/kmsg}) for block I/O errors and memory failures and turns them into
 * exact failure tuples.
 *
 * <p>A block-layer line names the start of the failed request on the whole disk, not the bad sector, and no
 * length. So a suspect window from that sector (the device's largest request, at most 4 MiB) is re-read with
 * {@link MediaProbe} in whole logical blocks of the device and only the logical blocks that fail again are
 * submitted. Those re-reads make the kernel log more errors; after each probe a marker line
 * {@code daxguard: probe N ...} is written to the log, and lines inside a probed window that come before their
 * marker are the probe's own and are skipped. A line whose
 * sector is already known bad is skipped too.
 *
 * <p>The log is opened non-blocking at {@link #start} (at its end by default, or at the oldest record when
 * replaying since boot). Overwritten records ({@code EPIPE}) are counted and reading goes on; continuation
 * records are joined; rate-limited floods ({@code N callbacks suppressed}) are counted and logged, since the
 * suppressed lines are lost: a scrub finds what they would have named.
 *
 * <p>A record that cannot be handled never ends the reading: an unparsable record, a sink that throws (that one
 * failure is lost, logged at ERROR) or any other failure of one record is logged, counted ({@link #counters}) and
 * the next record read. A suspect window that cannot be probed (the device's sysfs entry or node went between the
 * log line and the probe, a refused open, an unexpected errno) is not lost either: the kernel's word is all there
 * is, so the window is recorded unconfirmed, as source {@value #UNCONFIRMED_SOURCE} (an operator's {@code verify}
 * re-reads the files it names). Only an error of the log itself (a read errno other than EAGAIN, EPIPE, EINTR)
 * ends the thread, which tells the {@link FailureSource.ThreadEnded} it was started with; the supervisor then starts
 * the source again, which reopens the log and reads on after the last record handled (by sequence number).
 *
 * <p>Thread: {@code daxguard-kmsg}, owned here. It waits in {@code poll(2)} at most 250 ms at a time, so
 * {@link #close} (which clears the running flag, then joins) stops it within that; close also closes the
 * descriptor after the thread ended.
 */
public final class KernelLogSource implements FailureSource {
    private static final System.Logger LOG = System.getLogger(KernelLogSource.class.getName());
    private static final int RECORD_BUFFER = 8192;
    private static final int POLL_SLICE_MILLIS = 250;
    private static final long DEFAULT_WINDOW = 1L << 20;
    /** When no filesystem is mounted on a device, a buffer error's block is taken as a page. */
    private static final long DEFAULT_BUFFER_BLOCK = 4096;
    /**
     * How long a probed window waits for its marker. The kernel logs a probe's own errors while it runs and the
     * marker right after, so both are read within moments; a marker that never comes (the write failed, the record
     * was overwritten) must not mute the window's region for good.
     */
    private static final long MARKER_WAIT_MILLIS = 30_000;
    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");
    /** The source of a suspect window recorded without a probe's confirmation: the device could not be read back. */
    public static final String UNCONFIRMED_SOURCE = "kmsg-unconfirmed";
    /** open(2) of a node whose device is gone. */
    private static final int ENXIO = 6;
    private static final int ENODEV = 19;

    private final Path kmsg;
    private final Path sysfs;
    private final SuspectProbe probe;
    private final LongSupplier tracedSince;
    private final KmsgCursor cursor;
    private final Handoff.AwaitDurable durable;
    /** The sequence number last kept in the cursor, and whether failures were handed on since. */
    private long savedSequence = -1;
    private boolean handedOnSinceSave;
    private final boolean replay;
    private final DeviceResolver resolver;
    private final FailureSink sink;
    private final AlreadyKnown known;
    private final MemoryFailureMapper memory;
    private final Clock clock;
    private final List<ProbedWindow> ownLines = new ArrayList<>();
    private final Map<String, LongAdder> counters = new LinkedHashMap<>();
    private NativeFile log;
    private Thread thread;
    private volatile boolean running;
    private long nextProbe = 1;
    private StringBuilder continued;
    private boolean continuedFromKernel;
    private long continuedAt;
    /** The sequence number of the last record handled: a restart reads on after it. Reading thread only. */
    private long lastSequence = -1;
    /** Set by a restart until the first new record: a gap in the sequence numbers then means records were lost. */
    private boolean resuming;
    private boolean started;

    /**
     * @param kmsg    {@code /dev/kmsg}
     * @param replay  read the log from the oldest record kept since boot instead of from its end
     * @param sysfs   where sysfs is (device sizes, request limits, pmem resources)
     * @param probe   re-reads suspect windows (shared with the trace source)
     * @param handoff where failures go, what was handed on already, and a wait until that is durable
     * @param tracedSince since when (CLOCK_MONOTONIC microseconds, as the log's timestamps) failed block requests are
     *                    read from the trace event ({@link Long#MAX_VALUE}: not now): the log's block I/O error lines
     *                    (rate-limited, without lengths) from then on are passed over; older ones (read again after a
     *                    restart) are not
     * @param cursor  where reading starts, and where the position read is kept
     */
    public KernelLogSource(Path kmsg, boolean replay, Path sysfs, SuspectProbe probe, Handoff handoff,
                           LongSupplier tracedSince, KmsgCursor cursor, Clock clock) {
        this.kmsg = kmsg;
        this.replay = replay;
        this.sysfs = sysfs;
        this.probe = probe;
        this.tracedSince = tracedSince;
        this.cursor = cursor;
        this.durable = handoff.durable();
        FailureSink sink = handoff.sink();
        this.resolver = new DeviceResolver(sysfs);
        // A sink that throws loses that one failure (logged, counted), never the source's thread.
        this.sink = tuple -> {
            try {
                sink.submit(tuple);
                handedOnSinceSave = true;
            } catch (RuntimeException e) {
                count("sinkFailures");
                LOG.log(System.Logger.Level.ERROR, "could not hand on the " + tuple.source() + " failure on "
                        + tuple.device() + " bytes " + tuple.offset() + "+" + tuple.length() + ": " + e);
            }
        };
        this.known = handoff.known();
        this.memory = new MemoryFailureMapper(sysfs, 4096);
        this.clock = clock;
        // unconfirmed: every sector read back, or the line lies past the device's end. deviceGone / probeFailed:
        // the window could not be probed; unprobed: such windows recorded unconfirmed. failedRecords: records
        // skipped for another error. readErrors: errors of the log itself (the thread ends; the supervisor restarts).
        for (String name : List.of("records", "lost", "suspects", "confirmed", "unconfirmed", "ownLines", "suppressed",
                "memoryFailures", "unparsable", "deviceGone", "probeFailed", "unprobed", "sinkFailures",
                "failedRecords", "readErrors", "traced", "notKernel", "markerLost")) {
            counters.put(name, new LongAdder());
        }
    }

    @Override
    public String name() {
        return "kmsg";
    }

    /**
     * Opens the log on the caller's thread, then reads it on {@code daxguard-kmsg}. The first start reads from the
     * log's end (or its oldest record when replaying). A restart, after the thread ended, reads from the oldest record
     * and passes over what was handled before, so records logged while the thread was down are still read (those
     * the kernel overwrote meanwhile are counted lost).
     */
    @Override
    public synchronized void start(ThreadEnded ended) throws IOException, InterruptedException {
        if (thread != null) {
            // A thread that told its end is finishing; one still reading would not end here.
            thread.join(10_000);
            if (thread.isAlive()) {
                throw new IllegalStateException("already running");
            }
            closeLog();
        }
        log = NativeFile.openReadOnly(kmsg);
        boolean atEnd = false;
        if (!started) {
            // The first start: after the position kept by the last run in this boot, the whole log after a reboot,
            // or (a state directory that never read the log) where the configuration says.
            KmsgCursor.Start start = cursor.start(replay);
            if (start instanceof KmsgCursor.Start.After after) {
                lastSequence = after.sequence();
                savedSequence = after.sequence();
            }
            atEnd = start instanceof KmsgCursor.Start.End;
        } else {
            atEnd = lastSequence < 0 && !replay; // a restart before any record: as the first start did
        }
        started = true;
        log.seekToStart();
        if (lastSequence >= 0) {
            resuming = true;
        } else if (atEnd) {
            passOverWhatIsThere();
        }
        running = true;
        thread = new Thread(() -> readLoop(ended), "daxguard-kmsg");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * A start at the log's end, on the starting thread: the records there now are read and passed over, not handled,
     * to learn the last one's sequence number, so the position can be kept from the first catch-up on (a crash right
     * after start then loses nothing logged later) and anything logged after {@link #start} returns is handled.
     */
    private void passOverWhatIsThere() throws NativeCallException {
        try (Memory buffer = new Memory(RECORD_BUFFER)) {
            while (true) {
                long count;
                try {
                    count = log.read(buffer, RECORD_BUFFER);
                } catch (NativeCallException e) {
                    if (e.errno() == NativeCallException.EAGAIN) {
                        return;
                    }
                    if (e.errno() == NativeCallException.EPIPE || e.errno() == NativeCallException.EINTR) {
                        continue;
                    }
                    throw e;
                }
                if (count <= 0) {
                    return;
                }
                try {
                    lastSequence = Math.max(lastSequence, KernelLogParser.parseRecord(new String(
                            buffer.getByteArray(0, (int) count), StandardCharsets.UTF_8)).sequence());
                } catch (IllegalArgumentException unparsable) {
                    // not a record: its neighbours give the position
                }
            }
        }
    }

    /** Reads records until {@link #close}; an error of the log itself ends it, told to {@code ended}. */
    private void readLoop(ThreadEnded ended) {
        Throwable cause = null;
        try (Memory buffer = new Memory(RECORD_BUFFER)) {
            while (running) {
                Optional<String> record = nextRecord(buffer);
                if (record.isPresent()) {
                    handle(record.get());
                }
            }
        } catch (IOException | RuntimeException | Error | InterruptedException e) {
            // Nothing here interrupts this thread: an interrupt is not a close, so it is an end like any other.
            cause = e;
        } finally {
            if (running) {
                ended.ended(cause != null ? cause : new IllegalStateException("the kernel log read loop returned"));
            }
        }
    }

    /**
     * The next record, or empty when none came within a poll slice or records were overwritten (counted). Any other
     * read error, or an end of file {@code /dev/kmsg} never gives, is the log's own: it is thrown and ends the
     * thread, since the descriptor is not trusted any more; the supervisor opens the log again.
     */
    private Optional<String> nextRecord(Memory buffer) throws IOException, InterruptedException {
        long count;
        try {
            count = log.read(buffer, RECORD_BUFFER);
        } catch (NativeCallException e) {
            if (e.errno() == NativeCallException.EAGAIN) {
                skipOnFailure(this::flushContinued);
                keepPosition();
                Poll.await(List.of(new Poll.Request(log, Poll.POLLIN)), POLL_SLICE_MILLIS);
                return Optional.empty();
            }
            if (e.errno() == NativeCallException.EPIPE) {
                count("lost");
                LOG.log(System.Logger.Level.WARNING, "kernel log records were overwritten before daxguard "
                        + "read them; failures named there are lost (a scrub finds them)");
                return Optional.empty();
            }
            if (e.errno() == NativeCallException.EINTR) {
                return Optional.empty();
            }
            count("readErrors");
            throw e;
        }
        if (count <= 0) {
            count("readErrors");
            throw new IOException(kmsg + " ended (read returned " + count + "): it is not a kernel log");
        }
        return Optional.of(new String(buffer.getByteArray(0, (int) count), StandardCharsets.UTF_8));
    }

    /**
     * Handles one raw record, as the reading thread does; joins continuation records before recognising their text.
     * A record that cannot be handled is logged, counted and skipped: only an interrupt is thrown.
     */
    void handle(String raw) throws InterruptedException {
        KernelLogParser.Record record;
        try {
            record = KernelLogParser.parseRecord(raw);
        } catch (IllegalArgumentException unparsable) {
            count("records");
            count("unparsable");
            LOG.log(System.Logger.Level.WARNING, "kernel log record skipped: " + unparsable.getMessage());
            return;
        }
        if (!isNew(record.sequence())) {
            return;
        }
        count("records");
        skipOnFailure(() -> handleRecord(record));
    }

    /**
     * Keeps the position read in the cursor once caught up with the log: after waiting until what was handed on since
     * the last save is durable, so a crash never skips a failure that was not recorded (it may read one again, which
     * the router knows).
     */
    private void keepPosition() throws InterruptedException {
        if (lastSequence <= savedSequence || continued != null) {
            return;
        }
        if (handedOnSinceSave && !durable.await()) {
            return; // not durable yet: the next catch-up tries again
        }
        handedOnSinceSave = false;
        cursor.save(lastSequence);
        savedSequence = lastSequence;
    }

    /** Whether a record comes after the last one handled (a restart reads the log again from its oldest record). */
    private boolean isNew(long sequence) {
        if (sequence <= lastSequence) {
            return false;
        }
        if (resuming && sequence > lastSequence + 1) {
            count("lost");
            LOG.log(System.Logger.Level.WARNING, (sequence - lastSequence - 1) + " kernel log record(s) were "
                    + "overwritten while daxguard was not reading the log: possible lost failures, run a scrub");
        }
        resuming = false;
        lastSequence = sequence;
        return true;
    }

    /** Work on one record. */
    @FunctionalInterface
    private interface RecordWork {
        void run() throws IOException, InterruptedException;
    }

    /** Runs the work of one record; a failure is logged and counted, and the source goes on with the next one. */
    private void skipOnFailure(RecordWork work) throws InterruptedException {
        try {
            work.run();
        } catch (IllegalArgumentException e) {
            count("unparsable");
            LOG.log(System.Logger.Level.WARNING, "kernel log record skipped: " + e.getMessage());
        } catch (IOException | RuntimeException e) {
            count("failedRecords");
            LOG.log(System.Logger.Level.WARNING, "kernel log record skipped: " + e);
        }
    }

    private void handleRecord(KernelLogParser.Record record) throws IOException, InterruptedException {
        if (record.isContinuation() && continued != null) {
            continued.append(record.text());
            return;
        }
        flushContinued();
        if (record.expectsContinuation()) {
            continued = new StringBuilder(record.text());
            continuedFromKernel = isKernels(record);
            continuedAt = record.microseconds();
            return;
        }
        handleText(record.text(), isKernels(record), record.microseconds());
    }

    /**
     * Whether the trace source saw a failure the log recorded at {@code at}: it traces from when it started, and a
     * second of margin lets a failure near that moment be read by both rather than by neither (the two clocks are
     * the same, but the log stamps a line a little after the request failed).
     */
    private boolean isTraced(long at) {
        long since = tracedSince.getAsLong();
        return since != Long.MAX_VALUE && at >= since + 1_000_000;
    }

    /**
     * Whether the kernel wrote a record (facility 0). Any root process can write to {@code /dev/kmsg} (its records
     * get the user facility): such a record may be daxguard's own probe marker, never a failure to act on.
     */
    private static boolean isKernels(KernelLogParser.Record record) {
        return record.priority() >> 3 == 0;
    }

    private void flushContinued() throws IOException, InterruptedException {
        if (continued != null) {
            String text = continued.toString();
            continued = null;
            handleText(text, continuedFromKernel, continuedAt);
        }
    }

    /**
     * @param at when the kernel logged it, in microseconds since boot (the log's clock, CLOCK_MONOTONIC's)
     */
    private void handleText(String text, boolean fromKernel, long at) throws IOException, InterruptedException {
        Optional<KernelLogLine> line = KernelLogParser.recognise(text);
        if (line.isEmpty()) {
            return;
        }
        KernelLogLine recognised = line.get();
        if (recognised instanceof KernelLogLine.ProbeMarker marker) {
            ownLines.removeIf(window -> window.probe <= marker.probe());
        } else if (!fromKernel) {
            count("notKernel");
        } else if ((recognised instanceof KernelLogLine.RequestError || recognised instanceof KernelLogLine.BufferError)
                && isTraced(at)) {
            count("traced"); // the trace source has the same failure, with its length and no rate limit
        } else if (recognised instanceof KernelLogLine.RequestError error) {
            suspect(error.device(), error.sector() * ByteRange.SECTOR, requestWindow(error.device()));
        } else if (recognised instanceof KernelLogLine.BufferError error) {
            long block = bufferBlockSize(error.device());
            suspect(error.device(), error.logicalBlock() * block, block);
        } else if (recognised instanceof KernelLogLine.MemoryFailure failure) {
            memoryFailure(failure);
        } else if (recognised instanceof KernelLogLine.Suppressed suppressed && namesFailures(suppressed.function())) {
            counters.get("suppressed").add(suppressed.count());
            LOG.log(System.Logger.Level.WARNING, "the kernel suppressed " + suppressed.count() + " lines of "
                    + suppressed.function() + "; failures named there are lost (a scrub finds them)");
        }
    }

    /** Whether a rate-limited kernel function is one whose lines name failures (not, say, capacity changes). */
    private static boolean namesFailures(String function) {
        return function.contains("req_error") || function.contains("update_request")
                || function.contains("buffer_io") || function.contains("end_request")
                || function.contains("io_error") || function.contains("memory_failure");
    }

    /**
     * A suspect window, confirmed by a probe. When the probe cannot run, the window is recorded unconfirmed
     * ({@link #UNCONFIRMED_SOURCE}) rather than lost.
     */
    private void suspect(String device, long offset, long window) throws InterruptedException {
        try {
            confirmByProbe(device, offset, window);
        } catch (IOException | RuntimeException probeFailed) {
            keepUnconfirmed(device, offset, window, probeFailed);
        }
    }

    /**
     * The window of a line whose probe failed, submitted as {@link #UNCONFIRMED_SOURCE} on the device the line
     * names (cut at its end when its size is still known). A device that has no number any more cannot be recorded:
     * that is logged.
     */
    private void keepUnconfirmed(String device, long offset, long window, Exception why) throws InterruptedException {
        count(isGone(why) ? "deviceGone" : "probeFailed");
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
            count("unconfirmed");
            return;
        }
        count("unprobed");
        LOG.log(System.Logger.Level.WARNING, "could not probe " + device + " bytes " + offset + "+" + length + " ("
                + why.getMessage() + "); recorded unconfirmed, as source " + UNCONFIRMED_SOURCE);
        sink.submit(FailureTuple.mediaError(ref, new ByteRange(offset, length), UNCONFIRMED_SOURCE, clock.instant()));
    }

    /** Whether a probe failed because the device went (its sysfs entry or node, or the device behind the node). */
    private static boolean isGone(Exception failure) {
        return failure instanceof NoSuchFileException || failure instanceof NativeCallException call
                && (call.errno() == NativeCallException.ENOENT || call.errno() == ENXIO || call.errno() == ENODEV);
    }

    private void confirmByProbe(String device, long offset, long window) throws IOException, InterruptedException {
        long now = clock.millis();
        if (ownLines.removeIf(own -> now - own.madeMillis > MARKER_WAIT_MILLIS)) {
            count("markerLost"); // its marker never came: the window must not mute its region for good
        }
        for (ProbedWindow own : ownLines) {
            if (own.device.equals(device) && offset >= own.offset && offset < own.end) {
                count("ownLines");
                return;
            }
        }
        Optional<DeviceRef> ref = resolve(device);
        if (ref.isEmpty() || known.touches(ref.get().number(), offset, ByteRange.SECTOR)) {
            return;
        }
        count("suspects");
        SuspectProbe.Outcome outcome = probe.probe(ref.get(), offset, window);
        if (outcome.probed().isEmpty()) {
            count("unconfirmed");
            return;
        }
        ByteRange probed = outcome.probed().get();
        List<ByteRange> bad = outcome.bad();
        long probeNumber = nextProbe++;
        ownLines.add(new ProbedWindow(device, probed.offset(), probed.end(), probeNumber, clock.millis()));
        writeMarker(probeNumber, "of " + device + " bytes " + probed + ": " + bad.size() + " bad run(s)");
        if (bad.isEmpty()) {
            count("unconfirmed");
            LOG.log(System.Logger.Level.INFO, "kernel logged an error on " + device + " at byte " + offset
                    + " but every sector reads back now (transient, or rewritten since)");
            return;
        }
        for (ByteRange range : bad) {
            count("confirmed");
            sink.submit(FailureTuple.mediaError(ref.get(), range, "kmsg", clock.instant()));
        }
    }

    private void memoryFailure(KernelLogLine.MemoryFailure failure) throws IOException, InterruptedException {
        count("memoryFailures");
        Optional<MemoryFailureMapper.Location> location = memory.locate(failure.pfn());
        if (location.isEmpty()) {
            LOG.log(System.Logger.Level.INFO, "memory failure at pfn 0x" + Long.toHexString(failure.pfn())
                    + " is in no pmem or dax device (DRAM): not daxguard's");
            return;
        }
        MemoryFailureMapper.Location where = location.get();
        Optional<DeviceRef> ref = resolve(where.device());
        if (ref.isPresent()) {
            sink.submit(FailureTuple.mediaError(ref.get(), new ByteRange(where.offset(), where.length()), "kmsg",
                    clock.instant()));
        }
    }

    /** The device a log line names, if it is still there (it may have gone since the kernel wrote the line). */
    private Optional<DeviceRef> resolve(String device) {
        try {
            return Optional.of(resolver.ofKernelName(device));
        } catch (IllegalArgumentException gone) {
            count("deviceGone");
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

    private void count(String name) {
        counters.get(name).increment();
    }

    /** What the source has seen since it was made. */
    @Override
    public Map<String, Long> counters() {
        Map<String, Long> values = new LinkedHashMap<>();
        counters.forEach((name, adder) -> values.put(name, adder.sum()));
        return values;
    }

    @Override
    public synchronized void close() {
        running = false;
        if (thread != null) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (thread == null || !thread.isAlive()) {
            closeLog();
        }
    }

    private void closeLog() {
        if (log != null) {
            try {
                log.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "closing the kernel log: " + e.getMessage());
            }
            log = null;
        }
    }

    /** A range this source re-read, whose kernel log lines up to marker {@code probe} are its own. */
    private record ProbedWindow(String device, long offset, long end, long probe, long madeMillis) {
    }
}
