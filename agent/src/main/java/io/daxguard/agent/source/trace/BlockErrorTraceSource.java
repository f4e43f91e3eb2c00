package io.daxguard.agent.source.trace;

import com.sun.jna.Memory;
import io.daxguard.agent.failure.FailureSource;
import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.linux.NativeCallException;
import io.daxguard.spi.linux.Poll;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

/**
 * Failed block requests from the {@code block:block_rq_error} trace event (see {@link TraceInstance}): unlike the
 * kernel log's {@code I/O error} lines, every failed request is traced (no printk rate limit) with its length. A
 * failed read is handed to {@link Suspects} as the request's byte range on its device, to be re-read and narrowed to
 * the bad blocks, as a kernel log line is. Failed writes are counted, not probed (the writer was told; a later read
 * or a scrub finds lasting damage).
 *
 * <p>Thread: {@code daxguard-trace}, owned here. It waits in {@code poll(2)} at most 250 ms at a time, so
 * {@link #close} (clear the flag, join) stops it within that, then removes the trace instance.
 */
public final class BlockErrorTraceSource implements FailureSource {
    private static final System.Logger LOG = System.getLogger(BlockErrorTraceSource.class.getName());
    private static final int POLL_SLICE_MILLIS = 250;
    private static final int BUFFER = 65536;
    private static final long SECTOR = 512;

    /** Re-reads a failed request's range and submits what is bad. */
    @FunctionalInterface
    public interface Suspects {
        void suspect(DeviceNumber device, long offset, long length) throws IOException, InterruptedException;
    }

    private final Path tracefs;
    private final Path mounts;
    private final Suspects suspects;
    private final Map<String, LongAdder> counters = new LinkedHashMap<>();
    private TraceInstance instance;
    private Thread thread;
    private volatile boolean running;

    /**
     * @param tracefs where tracefs is or is to be mounted ({@code /sys/kernel/tracing})
     * @param mounts  the mount table to look for it in ({@code /proc/self/mounts})
     */
    public BlockErrorTraceSource(Path tracefs, Path mounts, Suspects suspects) {
        this.tracefs = tracefs;
        this.mounts = mounts;
        this.suspects = suspects;
        for (String name : List.of("events", "readErrors", "writeErrors", "unparsable", "suspectFailures")) {
            counters.put(name, new LongAdder());
        }
    }

    @Override
    public String name() {
        return "trace";
    }

    /** Makes the trace instance on the caller's thread (so a start that cannot trace fails here), then reads it. */
    @Override
    public synchronized void start() throws IOException {
        if (thread != null) {
            throw new IllegalStateException("already started");
        }
        instance = TraceInstance.open(tracefs, mounts);
        running = true;
        thread = new Thread(this::readLoop, "daxguard-trace");
        thread.setDaemon(true);
        thread.start();
        LOG.log(System.Logger.Level.INFO, "tracing failed block requests in " + instance.directory());
    }

    private void readLoop() {
        StringBuilder partial = new StringBuilder();
        try (Memory buffer = new Memory(BUFFER)) {
            while (running) {
                long count;
                try {
                    count = instance.pipe().read(buffer, BUFFER);
                } catch (NativeCallException e) {
                    if (e.errno() != NativeCallException.EAGAIN) {
                        throw e;
                    }
                    Poll.await(List.of(new Poll.Request(instance.pipe(), Poll.POLLIN)), POLL_SLICE_MILLIS);
                    continue;
                }
                partial.append(new String(buffer.getByteArray(0, (int) count), StandardCharsets.ISO_8859_1));
                for (int newline = partial.indexOf("\n"); newline >= 0; newline = partial.indexOf("\n")) {
                    String line = partial.substring(0, newline);
                    partial.delete(0, newline + 1);
                    handle(line);
                }
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.ERROR, "trace source stopped: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
        try {
            suspects.suspect(error.device(), error.sector() * SECTOR, Math.max(1, error.sectors()) * SECTOR);
        } catch (IOException | RuntimeException e) {
            // One request that cannot be re-read (its device went away) must not stop the source.
            count("suspectFailures");
            LOG.log(System.Logger.Level.WARNING, "failed read of " + error.device() + " sectors " + error.sector()
                    + "+" + error.sectors() + " could not be re-read: " + e.getMessage());
        }
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
        if (instance != null && (thread == null || !thread.isAlive())) {
            instance.close();
        }
    }
}
