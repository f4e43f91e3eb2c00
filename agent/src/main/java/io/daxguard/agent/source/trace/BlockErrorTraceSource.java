package io.daxguard.agent.source.trace;

import com.sun.jna.Memory;
import io.daxguard.agent.failure.DeviceRef;
import io.daxguard.agent.failure.DeviceResolver;
import io.daxguard.agent.failure.FailureSink;
import io.daxguard.agent.failure.FailureSource;
import io.daxguard.agent.failure.FailureTuple;
import io.daxguard.agent.failure.SourceCounters;
import io.daxguard.agent.ranges.ByteRange;
import io.daxguard.agent.source.probe.AlreadyKnown;
import io.daxguard.agent.source.probe.Handoff;
import io.daxguard.agent.source.probe.SuspectProbe;
import io.daxguard.support.linux.NativeCallException;
import io.daxguard.support.linux.Poll;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Failed block requests from the {@code block:block_rq_error} trace event (see {@link TraceInstance}): unlike the
 * kernel log's {@code I/O error} lines, every failed request is traced (no printk rate limit) with its length, so
 * while this source runs the kernel log source passes block errors over. A failed read's range is re-read by a
 * {@link SuspectProbe} and only the logical blocks that fail again are submitted (source {@value #SOURCE}); a range
 * that cannot be re-read (its device went, a refused open) is submitted whole as {@value #UNCONFIRMED_SOURCE}, so the
 * kernel's word is not lost. The probe's own reads fail and are traced too: an event inside a window the probe was
 * reading at that moment (the instance's clock is {@link System#nanoTime()}'s) is passed over. Failed writes are
 * counted, not probed (the writer was told; a later read or a scrub finds lasting damage).
 *
 * <p>Thread: {@code daxguard-trace}, owned here. It waits in {@code poll(2)} at most 250 ms at a time, so
 * {@link #close} (clear the flag, join) stops it within that, then removes the trace instance. A failure of one
 * event never ends it; an error of the trace pipe itself does, and is told to the supervisor, which starts the
 * source again with a new instance.
 */
public final class BlockErrorTraceSource implements FailureSource {
    private static final System.Logger LOG = System.getLogger(BlockErrorTraceSource.class.getName());
    public static final String SOURCE = "trace";
    public static final String UNCONFIRMED_SOURCE = "trace-unconfirmed";
    private static final int POLL_SLICE_MILLIS = 250;
    private static final int BUFFER = 65536;

    private final Path tracefs;
    private final Path mounts;
    private final DeviceResolver resolver;
    private final SuspectProbe probe;
    private final FailureSink sink;
    private final AlreadyKnown known;
    private final Clock clock;
    private final SourceCounters counters;
    private TraceInstance instance;
    private Thread thread;
    private volatile boolean running;
    private volatile long tracingSince = Long.MAX_VALUE;

    /**
     * @param tracefs where tracefs is or is to be mounted ({@code /sys/kernel/tracing})
     * @param mounts  the mount table to look for it in ({@code /proc/self/mounts})
     * @param sysfs   where sysfs is (device names, sizes, logical block sizes)
     * @param probe   re-reads failed reads (shared with the kernel log source, whose re-reads it passes over)
     */
    public BlockErrorTraceSource(Path tracefs, Path mounts, Path sysfs, SuspectProbe probe, Handoff handoff,
                                 Clock clock) {
        this.tracefs = tracefs;
        this.mounts = mounts;
        this.resolver = new DeviceResolver(sysfs);
        this.probe = probe;
        this.sink = handoff.sink();
        this.known = handoff.known();
        this.clock = clock;
        // ownReads: failures of the probe's own re-reads. known: requests starting at a block already handed on.
        // deviceGone: a traced device with no sysfs entry any more. unconfirmed: every block read back fine.
        this.counters = new SourceCounters(List.of("events", "readErrors", "writeErrors", "ownReads", "known",
                "suspects", "confirmed", "unconfirmed", "unprobed", "deviceGone", "unparsable", "failedEvents"));
    }

    @Override
    public String name() {
        return SOURCE;
    }


    /**
     * Since when failed requests are traced, in CLOCK_MONOTONIC microseconds (the kernel log's clock);
     * {@link Long#MAX_VALUE} while the source is not reading.
     */
    public long tracingSinceMicros() {
        return running ? tracingSince : Long.MAX_VALUE;
    }

    /** Makes a trace instance on the caller's thread (so a start that cannot trace fails here), then reads it. */
    @Override
    public synchronized void start(ThreadEnded ended) throws IOException, InterruptedException {
        if (thread != null) {
            thread.join(10_000);
            if (thread.isAlive()) {
                throw new IllegalStateException("already running");
            }
            if (instance != null) {
                instance.close();
            }
        }
        instance = TraceInstance.open(tracefs, mounts);
        tracingSince = System.nanoTime() / 1000; // the event is enabled: what fails from now on is traced
        running = true;
        TraceInstance reading = instance;
        thread = new Thread(() -> readLoop(reading, ended), "daxguard-trace");
        thread.setDaemon(true);
        thread.start();
        LOG.log(System.Logger.Level.INFO, "tracing failed block requests in " + instance.directory());
    }

    private void readLoop(TraceInstance reading, ThreadEnded ended) {
        Throwable cause = null;
        StringBuilder partial = new StringBuilder();
        try (Memory buffer = new Memory(BUFFER)) {
            while (running) {
                long count;
                try {
                    count = reading.pipe().read(buffer, BUFFER);
                } catch (NativeCallException e) {
                    if (e.errno() != NativeCallException.EAGAIN && e.errno() != NativeCallException.EINTR) {
                        throw e;
                    }
                    Poll.await(List.of(new Poll.Request(reading.pipe(), Poll.POLLIN)), POLL_SLICE_MILLIS);
                    continue;
                }
                partial.append(new String(buffer.getByteArray(0, (int) count), StandardCharsets.ISO_8859_1));
                for (int newline = partial.indexOf("\n"); newline >= 0; newline = partial.indexOf("\n")) {
                    String line = partial.substring(0, newline);
                    partial.delete(0, newline + 1);
                    handleSafely(line);
                }
            }
        } catch (IOException | RuntimeException | Error | InterruptedException e) {
            cause = e;
        } finally {
            if (running) {
                running = false;
                ended.ended(cause != null ? cause : new IllegalStateException("the trace read loop returned"));
            }
        }
    }

    /** One event; whatever goes wrong with it is logged and counted, and the next one is read. */
    private void handleSafely(String line) throws InterruptedException {
        try {
            handle(line);
        } catch (RuntimeException e) {
            count("failedEvents");
            LOG.log(System.Logger.Level.WARNING, "trace event skipped (" + e + "): " + line);
        }
    }

    /** One line of {@code trace_pipe}. */
    void handle(String line) throws InterruptedException {
        Optional<BlockError> parsed = BlockError.parse(line);
        if (parsed.isEmpty()) {
            count("unparsable");
            return;
        }
        count("events");
        BlockError error = parsed.get();
        if (!error.isRead()) {
            count("writeErrors");
            return;
        }
        count("readErrors");
        long offset = error.sector() * ByteRange.SECTOR;
        long length = Math.max(1, error.sectors()) * ByteRange.SECTOR;
        if (probe.isOwnRead(error.device(), offset, length, error.at())) {
            count("ownReads");
            return;
        }
        DeviceRef device;
        try {
            device = resolver.ofNumber(error.device());
        } catch (IllegalArgumentException gone) {
            count("deviceGone");
            LOG.log(System.Logger.Level.WARNING, "a read of " + error.device() + " bytes " + offset + "+" + length
                    + " failed, and the device has gone: nothing to record it under");
            return;
        }
        if (known.touches(device.number(), offset, length)) {
            count("known");
            return;
        }
        count("suspects");
        confirm(device, offset, length);
    }

    private void confirm(DeviceRef device, long offset, long length) throws InterruptedException {
        SuspectProbe.Outcome outcome;
        try {
            outcome = probe.probe(device, offset, length);
        } catch (IOException | RuntimeException cannotRead) {
            count("unprobed");
            LOG.log(System.Logger.Level.WARNING, "could not re-read " + device + " bytes " + offset + "+" + length + " ("
                    + cannotRead.getMessage() + "); recorded unconfirmed, as source " + UNCONFIRMED_SOURCE);
            sink.submit(FailureTuple.mediaError(device, new ByteRange(offset, length), UNCONFIRMED_SOURCE,
                    clock.instant()));
            return;
        }
        if (outcome.bad().isEmpty()) {
            count("unconfirmed");
            LOG.log(System.Logger.Level.INFO, "a read of " + device + " bytes " + offset + "+" + length + " failed,"
                    + " but every block reads back now (transient, or rewritten since)");
            return;
        }
        for (ByteRange bad : outcome.bad()) {
            count("confirmed");
            sink.submit(FailureTuple.mediaError(device, bad, SOURCE, clock.instant()));
        }
    }

    private void count(String name) {
        counters.increment(name);
    }

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
        if (instance != null && (thread == null || !thread.isAlive())) {
            instance.close();
            instance = null;
        }
    }
}
