package io.daxguard.agent.source.kmsg;

import io.daxguard.agent.failure.DeviceRef;
import io.daxguard.agent.failure.DeviceResolver;
import io.daxguard.agent.failure.FailureSink;
import io.daxguard.agent.failure.FailureSource;
import io.daxguard.spi.DeviceNumber;

import io.daxguard.agent.failure.FailureTuple;
import io.daxguard.agent.source.probe.MediaProbe;

import io.daxguard.agent.ranges.ByteRange;
import io.daxguard.agent.topology.DirectIoAlignment;

import com.sun.jna.Memory;
import io.daxguard.spi.linux.NativeCallException;
import io.daxguard.spi.linux.NativeFile;
import io.daxguard.spi.linux.Poll;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
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
 * <p>Thread: {@code daxguard-kmsg}, owned here. It waits in {@code poll(2)} at most 250 ms at a time, so
 * {@link #close} (which clears the running flag, then joins) stops it within that; close also closes the
 * descriptor after the thread ended.
 */
public final class KernelLogSource implements FailureSource {
    private static final System.Logger LOG = System.getLogger(KernelLogSource.class.getName());
    private static final int RECORD_BUFFER = 8192;
    private static final int POLL_SLICE_MILLIS = 250;
    private static final long MAX_WINDOW = 4L << 20;
    private static final long DEFAULT_WINDOW = 1L << 20;
    private static final long BUFFER_BLOCK = 4096;

    private final Path kmsg;
    private final Path sysfs;
    private final Path devices;
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

    /** Whether bytes of a device were handed on already (the ingest queue's memory): those are not probed again. */
    @FunctionalInterface
    public interface AlreadyKnown {
        boolean covers(DeviceNumber device, long offset, long length);
    }

    /**
     * @param kmsg    {@code /dev/kmsg}
     * @param replay  read the log from the oldest record kept since boot instead of from its end
     * @param sysfs   where sysfs is (device sizes, request limits, pmem resources)
     * @param devices where device nodes are ({@code /dev})
     */
    public KernelLogSource(Path kmsg, boolean replay, Path sysfs, Path devices, FailureSink sink, AlreadyKnown known,
                           Clock clock) {
        this.kmsg = kmsg;
        this.replay = replay;
        this.sysfs = sysfs;
        this.devices = devices;
        this.resolver = new DeviceResolver(sysfs);
        this.sink = sink;
        this.known = known;
        this.memory = new MemoryFailureMapper(sysfs, 4096);
        this.clock = clock;
        for (String name : List.of("records", "lost", "suspects", "confirmed", "unconfirmed", "ownLines", "suppressed",
                "memoryFailures", "unparsable")) {
            counters.put(name, new LongAdder());
        }
    }

    @Override
    public String name() {
        return "kmsg";
    }

    /** Opens the log (at its end unless replaying) on the caller's thread, then starts reading it. */
    @Override
    public synchronized void start() throws IOException {
        if (thread != null) {
            throw new IllegalStateException("already started");
        }
        log = NativeFile.openReadOnly(kmsg);
        if (!replay) {
            log.seekToEnd();
        }
        running = true;
        thread = new Thread(this::readLoop, "daxguard-kmsg");
        thread.setDaemon(true);
        thread.start();
    }

    private void readLoop() {
        try (Memory buffer = new Memory(RECORD_BUFFER)) {
            while (running) {
                try {
                    long count = log.read(buffer, RECORD_BUFFER);
                    if (count > 0) {
                        handle(new String(buffer.getByteArray(0, (int) count), StandardCharsets.UTF_8));
                    }
                } catch (NativeCallException e) {
                    if (e.errno() == NativeCallException.EAGAIN) {
                        flushContinued();
                        Poll.await(List.of(new Poll.Request(log, Poll.POLLIN)), POLL_SLICE_MILLIS);
                    } else if (e.errno() == NativeCallException.EPIPE) {
                        count("lost");
                        LOG.log(System.Logger.Level.WARNING, "kernel log records were overwritten before daxguard "
                                + "read them; failures named there are lost (a scrub finds them)");
                    } else {
                        throw e;
                    }
                } catch (RuntimeException e) {
                    count("unparsable");
                    LOG.log(System.Logger.Level.WARNING, "kernel log record skipped: " + e.getMessage());
                }
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.ERROR, "kernel log source stopped: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Handles one raw record; joins continuation records before recognising their text. */
    void handle(String raw) throws IOException, InterruptedException {
        count("records");
        KernelLogParser.Record record = KernelLogParser.parseRecord(raw);
        if (record.isContinuation() && continued != null) {
            continued.append(record.text());
            return;
        }
        flushContinued();
        if (record.expectsContinuation()) {
            continued = new StringBuilder(record.text());
            return;
        }
        handleText(record.text());
    }

    private void flushContinued() throws IOException, InterruptedException {
        if (continued != null) {
            String text = continued.toString();
            continued = null;
            handleText(text);
        }
    }

    private void handleText(String text) throws IOException, InterruptedException {
        Optional<KernelLogLine> line = KernelLogParser.recognise(text);
        if (line.isEmpty()) {
            return;
        }
        KernelLogLine recognised = line.get();
        if (recognised instanceof KernelLogLine.ProbeMarker marker) {
            ownLines.removeIf(window -> window.probe <= marker.probe());
        } else if (recognised instanceof KernelLogLine.RequestError error) {
            suspect(error.device(), error.sector() * ByteRange.SECTOR, requestWindow(error.device()));
        } else if (recognised instanceof KernelLogLine.BufferError error) {
            suspect(error.device(), error.logicalBlock() * BUFFER_BLOCK, BUFFER_BLOCK);
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

    private void suspect(String device, long offset, long window) throws IOException, InterruptedException {
        for (ProbedWindow own : ownLines) {
            if (own.device.equals(device) && offset >= own.offset && offset < own.end) {
                count("ownLines");
                return;
            }
        }
        Optional<DeviceRef> ref = resolve(device);
        if (ref.isEmpty() || known.covers(ref.get().number(), offset, ByteRange.SECTOR)) {
            return;
        }
        count("suspects");
        Path node = devices.resolve(device);
        long size = deviceSize(device);
        if (offset >= size) {
            count("unconfirmed");
            return;
        }
        // Re-read only whole logical blocks: a 4Kn disk refuses (EINVAL) anything finer, so the window is
        // widened to them, and what the probe's reads make the kernel log falls inside the widened window.
        DirectIoAlignment alignment = DirectIoAlignment.ofDevice(sysfs, device);
        long wanted = Math.min(window, size - offset);
        int bufferSize = (int) alignment.ceil(Math.min(MAX_WINDOW, wanted));
        ByteRange probed;
        List<ByteRange> bad;
        try (MediaProbe probe = new MediaProbe(node, size, alignment, bufferSize)) {
            Optional<ByteRange> aligned = probe.window(offset, wanted);
            if (aligned.isEmpty()) {
                count("unconfirmed");
                return;
            }
            probed = aligned.get();
            bad = probe.findBad(probed.offset(), probed.length());
        }
        long probeNumber = nextProbe++;
        ownLines.add(new ProbedWindow(device, probed.offset(), probed.end(), probeNumber));
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
            count("unconfirmed");
            LOG.log(System.Logger.Level.INFO, "kernel log names " + device + ", which is not a block device now: "
                    + gone.getMessage());
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
            return Math.min(MAX_WINDOW, Math.max(4096, kib * 1024));
        } catch (IOException | NumberFormatException e) {
            return DEFAULT_WINDOW;
        }
    }

    private long deviceSize(String device) throws IOException {
        return Long.parseLong(Files.readString(sysfs.resolve("class/block").resolve(device).resolve("size")).strip())
                * ByteRange.SECTOR;
    }

    private void count(String name) {
        counters.get(name).increment();
    }

    /** What the source has seen since start. */
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
        if (log != null && (thread == null || !thread.isAlive())) {
            try {
                log.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "closing the kernel log: " + e.getMessage());
            }
        }
    }

    /** A range this source re-read, whose kernel log lines up to marker {@code probe} are its own. */
    private record ProbedWindow(String device, long offset, long end, long probe) {
    }
}
