package io.daxguard.agent.source.kmsg;

import io.daxguard.agent.failure.DeviceRef;
import io.daxguard.agent.failure.FailureSink;
import io.daxguard.agent.failure.SourceCounters;
import io.daxguard.agent.failure.FailureSource;

import io.daxguard.agent.failure.FailureTuple;
import io.daxguard.agent.source.probe.MediaProbe;
import io.daxguard.agent.source.probe.Handoff;
import io.daxguard.agent.source.probe.SuspectProbe;

import io.daxguard.agent.ranges.ByteRange;

import com.sun.jna.Memory;
import io.daxguard.support.linux.NativeCallException;
import io.daxguard.support.linux.NativeFile;
import io.daxguard.support.linux.Poll;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.function.LongSupplier;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Listens to the kernel log ({@code /dev/kmsg}) for block I/O errors and memory failures and turns them into
 * exact failure tuples.
 *
 * <p>A block-layer line names the start of the failed request on the whole disk, not the bad sector, and no
 * length: {@link KmsgSuspects} re-reads a suspect window from there and submits only the logical blocks that fail
 * again (passing over the probe's own lines by markers). Only kernel-facility records are acted on; while the trace
 * source runs, block error lines logged after it started are its, and passed over here.
 *
 * <p>The log is opened non-blocking at {@link #start}: after the position kept in the state directory
 * ({@link KmsgCursor}) in the same boot, the whole log after a reboot, else at its end (or its oldest record when
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
 *
 * <p>Over 400 lines because reading, the position kept, continuation records and the isolation of each record share
 * the reading thread's state (sequence numbers, the record being continued); confirming block errors is apart, in
 * {@link KmsgSuspects}.
 */
public final class KernelLogSource implements FailureSource {
    private static final System.Logger LOG = System.getLogger(KernelLogSource.class.getName());
    private static final int RECORD_BUFFER = 8192;
    private static final int POLL_SLICE_MILLIS = 250;
    /** The source of a suspect window recorded without a probe's confirmation: the device could not be read back. */
    public static final String UNCONFIRMED_SOURCE = "kmsg-unconfirmed";
    /**
     * The source of a memory failure the kernel logged ({@code Memory failure: 0x<pfn>}): a poisoned page that was
     * touched (consumed, or found by the kernel's own patrol), as recovery policies in {@code late} mode wait for.
     */
    public static final String MEMORY_FAILURE_SOURCE = "kmsg-memory-failure";

    private final Path kmsg;
    private final LongSupplier tracedSince;
    private final KmsgCursor cursor;
    private final Handoff.AwaitDurable durable;
    /** The sequence number last kept in the cursor, and whether failures were handed on since. */
    private long savedSequence = -1;
    private boolean handedOnSinceSave;
    private final boolean replay;
    private final FailureSink sink;
    private final MemoryFailureMapper memory;
    /** The held filesystems' own lines ({@code Holder.failuresIn}) and daxguard's repair markers. */
    private final FilesystemLines filesystemLines;
    private final Clock clock;
    private final SourceCounters counters;
    private final KmsgSuspects suspects;
    private NativeFile log;
    private Thread thread;
    private volatile boolean running;
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
        this(kmsg, replay, sysfs, probe, handoff, tracedSince, cursor, clock, FilesystemMessages.NONE);
    }

    /**
     * @param filesystems what the held filesystems' own kernel lines report: each kernel message is offered to them,
     *                    and each failure found is handed on as source {@code kmsg-<type>}
     */
    public KernelLogSource(Path kmsg, boolean replay, Path sysfs, SuspectProbe probe, Handoff handoff,
                           LongSupplier tracedSince, KmsgCursor cursor, Clock clock, FilesystemMessages filesystems) {
        this.kmsg = kmsg;
        this.replay = replay;
        this.tracedSince = tracedSince;
        this.cursor = cursor;
        this.durable = handoff.durable();
        FailureSink sink = handoff.sink();
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
        this.memory = new MemoryFailureMapper(sysfs, 4096);
        this.clock = clock;
        // unconfirmed: every sector read back, or the line lies past the device's end. deviceGone / probeFailed:
        // the window could not be probed; unprobed: such windows recorded unconfirmed. failedRecords: records
        // skipped for another error. readErrors: errors of the log itself (the thread ends; the supervisor restarts).
        this.counters = new SourceCounters(List.of("records", "lost", "suspects", "confirmed", "unconfirmed", "ownLines",
                "suppressed", "memoryFailures", "unparsable", "deviceGone", "probeFailed", "unprobed", "sinkFailures",
                "failedRecords", "readErrors", "traced", "notKernel", "markerLost", "filesystemFailures", "repairLines"));
        this.suspects = new KmsgSuspects(kmsg, sysfs, probe, this.sink, handoff.known(), counters, clock);
        this.filesystemLines = new FilesystemLines(filesystems, sysfs, this.sink, counters, clock);
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
        if (filesystemLines.marker(text)) {
            return;
        }
        if (fromKernel) {
            filesystemLines.offer(text);
        }
        Optional<KernelLogLine> line = KernelLogParser.recognise(text);
        if (line.isEmpty()) {
            return;
        }
        KernelLogLine recognised = line.get();
        if (recognised instanceof KernelLogLine.ProbeMarker marker) {
            suspects.markerSeen(marker.probe());
        } else if (!fromKernel) {
            count("notKernel");
        } else if ((recognised instanceof KernelLogLine.RequestError || recognised instanceof KernelLogLine.BufferError)
                && isTraced(at)) {
            count("traced"); // the trace source has the same failure, with its length and no rate limit
        } else if (recognised instanceof KernelLogLine.RequestError error) {
            suspects.requestError(error.device(), error.sector());
        } else if (recognised instanceof KernelLogLine.BufferError error) {
            suspects.bufferError(error.device(), error.logicalBlock());
        } else if (recognised instanceof KernelLogLine.MemoryFailure failure) {
            memoryFailure(failure);
        } else if (recognised instanceof KernelLogLine.Suppressed suppressed && namesFailures(suppressed.function())) {
            counters.add("suppressed", suppressed.count());
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

    private void memoryFailure(KernelLogLine.MemoryFailure failure) throws IOException, InterruptedException {
        count("memoryFailures");
        Optional<MemoryFailureMapper.Location> location = memory.locate(failure.pfn());
        if (location.isEmpty()) {
            LOG.log(System.Logger.Level.INFO, "memory failure at pfn 0x" + Long.toHexString(failure.pfn())
                    + " is in no pmem or dax device (DRAM): not daxguard's");
            return;
        }
        MemoryFailureMapper.Location where = location.get();
        Optional<DeviceRef> ref = suspects.resolve(where.device());
        if (ref.isPresent()) {
            sink.submit(FailureTuple.mediaError(ref.get(), new ByteRange(where.offset(), where.length()),
                    MEMORY_FAILURE_SOURCE,
                    clock.instant()));
        }
    }

    /** The source of a failure a filesystem of {@code fsType} logged itself: {@code kmsg-btrfs}. */
    public static String filesystemSource(String fsType) {
        return "kmsg-" + fsType;
    }

    private void count(String name) {
        counters.increment(name);
    }

    /** What the source has seen since it was made. */
    @Override
    public Map<String, Long> counters() {
        return counters.snapshot();
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
}
