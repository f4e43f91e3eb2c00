package io.daxguard.agent.source.badblocks;

import io.daxguard.agent.ranges.ByteRange;
import io.daxguard.agent.ranges.RangeSet;

import io.daxguard.spi.linux.NativeCallException;
import io.daxguard.spi.linux.NativeFile;
import io.daxguard.spi.linux.Poll;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Watches {@code <sysfs>/block/*}{@code /badblocks} (pmem, md): lines {@code "<sector> <count>"} in 512-byte
 * sectors, relative to the device. Only changes are reported: ranges that appeared ({@link Listener#added}),
 * and ranges that disappeared ({@link Listener#cleared}: the poison was cleared by a write).
 *
 * <p>The kernel raises {@code POLLPRI} on the attribute when the list changes ({@code sysfs_notify}); a
 * periodic re-read is the fallback (a fake sysfs tree in tests never raises it). A malformed line is
 * reported ({@link Listener#malformed}) and skipped; the other lines of the file still count and the watcher
 * keeps running. The first scan reports everything already listed, so damage found while the agent was
 * down is ingested (known damage is recognised downstream).
 *
 * <p>Thread: {@code daxguard-badblocks}, owned here, started by {@link #start}. It polls in slices of at most
 * 250 ms so {@link #close} (clear the flag, join) stops it promptly. {@link #scanNow} may also be called from
 * any thread (scans are serialised).
 */
public final class BadblocksWatcher implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(BadblocksWatcher.class.getName());
    private static final int POLL_SLICE_MILLIS = 250;

    /** Told about changes; called on the thread that scanned. */
    public interface Listener {
        void added(String device, List<ByteRange> ranges) throws InterruptedException;

        void cleared(String device, List<ByteRange> ranges);

        default void malformed(String device, String line, String reason) {
        }
    }

    private final Path sysfs;
    private final Duration rescanInterval;
    private final Listener listener;
    private final Map<String, RangeSet> lastSeen = new HashMap<>();
    private final LongAdder malformedLines = new LongAdder();
    private final LongAdder scans = new LongAdder();
    private Thread thread;
    private volatile boolean running;

    public BadblocksWatcher(Path sysfs, Duration rescanInterval, Listener listener) {
        this.sysfs = Objects.requireNonNull(sysfs, "sysfs is null");
        this.rescanInterval = Objects.requireNonNull(rescanInterval, "rescanInterval is null");
        this.listener = Objects.requireNonNull(listener, "listener is null");
        if (rescanInterval.isNegative() || rescanInterval.isZero()) {
            throw new IllegalArgumentException("rescanInterval must be positive, was " + rescanInterval);
        }
    }

    /** Scans once on the caller's thread (reporting what is listed now), then watches on its own thread. */
    public synchronized void start() throws IOException, InterruptedException {
        if (thread != null) {
            throw new IllegalStateException("already started");
        }
        scanNow();
        running = true;
        thread = new Thread(this::watchLoop, "daxguard-badblocks");
        thread.setDaemon(true);
        thread.start();
    }

    private void watchLoop() {
        long nextScan = System.nanoTime() + rescanInterval.toNanos();
        while (running) {
            List<NativeFile> open = new ArrayList<>();
            try {
                for (Path file : badblocksFiles().values()) {
                    try {
                        NativeFile attribute = NativeFile.openReadOnly(file);
                        open.add(attribute);
                        drain(attribute);
                    } catch (NativeCallException vanished) {
                        // The device went away between listing and opening; the next scan drops it.
                    }
                }
                boolean changed = false;
                while (running && !changed && System.nanoTime() < nextScan) {
                    List<Poll.Request> requests = open.stream()
                            .map(file -> new Poll.Request(file, (short) (Poll.POLLPRI | Poll.POLLERR))).toList();
                    long left = Math.max(1, (nextScan - System.nanoTime()) / 1_000_000);
                    int slice = (int) Math.min(POLL_SLICE_MILLIS, left);
                    if (requests.isEmpty()) {
                        Thread.sleep(slice); // nothing to poll: wait for the periodic rescan (throttle, not sync)
                        continue;
                    }
                    for (short events : Poll.await(requests, slice)) {
                        changed |= events != 0;
                    }
                }
                if (running) {
                    scanNow();
                    nextScan = System.nanoTime() + rescanInterval.toNanos();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "badblocks watch: " + e.getMessage() + "; retrying at the next scan");
                nextScan = System.nanoTime() + rescanInterval.toNanos();
            } finally {
                for (NativeFile file : open) {
                    try {
                        file.close();
                    } catch (IOException ignored) {
                        // Closing a sysfs attribute cannot lose data.
                    }
                }
            }
        }
    }

    /** Reads an attribute to its end: sysfs arms POLLPRI only for a reader that has read the current state. */
    private static void drain(NativeFile attribute) throws NativeCallException {
        try (com.sun.jna.Memory buffer = new com.sun.jna.Memory(4096)) {
            while (attribute.read(buffer, 4096) > 0) {
                // Only the wake-up matters here; scanNow parses.
            }
        }
    }

    /** Reads every badblocks file now and reports the differences from the last scan. */
    public synchronized void scanNow() throws IOException, InterruptedException {
        scans.increment();
        Map<String, Path> files = badblocksFiles();
        for (Map.Entry<String, Path> entry : files.entrySet()) {
            String device = entry.getKey();
            String text;
            try {
                text = Files.readString(entry.getValue());
            } catch (NoSuchFileException vanished) {
                continue;
            }
            RangeSet now = parse(device, text);
            RangeSet before = lastSeen.getOrDefault(device, new RangeSet());
            List<ByteRange> added = now.minus(before);
            List<ByteRange> cleared = before.minus(now);
            lastSeen.put(device, now);
            if (!cleared.isEmpty()) {
                LOG.log(System.Logger.Level.INFO, device + ": poison cleared on " + cleared);
                listener.cleared(device, cleared);
            }
            if (!added.isEmpty()) {
                listener.added(device, added);
            }
        }
        for (String gone : new ArrayList<>(lastSeen.keySet())) {
            if (!files.containsKey(gone)) {
                lastSeen.remove(gone);
            }
        }
    }

    private RangeSet parse(String device, String text) {
        RangeSet ranges = new RangeSet();
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] fields = line.strip().split("\\s+");
            try {
                if (fields.length != 2) {
                    throw new IllegalArgumentException("expected \"<sector> <count>\"");
                }
                long sector = Long.parseLong(fields[0]);
                long count = Long.parseLong(fields[1]);
                if (sector < 0 || count <= 0) {
                    throw new IllegalArgumentException("sector must not be negative and count must be positive");
                }
                ByteRange range = ByteRange.ofSectors(sector, count);
                ranges.add(range.offset(), range.end());
            } catch (IllegalArgumentException | ArithmeticException e) {
                malformedLines.increment();
                String reason = e instanceof NumberFormatException ? "not a number" : e.getMessage();
                LOG.log(System.Logger.Level.WARNING, sysfs.resolve("block").resolve(device).resolve("badblocks")
                        + ": malformed line \"" + line + "\" skipped: " + reason);
                listener.malformed(device, line, reason);
            }
        }
        return ranges;
    }

    private Map<String, Path> badblocksFiles() throws IOException {
        Map<String, Path> files = new TreeMap<>();
        Path block = sysfs.resolve("block");
        if (!Files.isDirectory(block)) {
            return files;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(block)) {
            for (Path entry : entries) {
                Path file = entry.resolve("badblocks");
                if (Files.isRegularFile(file)) {
                    files.put(entry.getFileName().toString(), file);
                }
            }
        }
        return files;
    }

    /** Malformed lines skipped since start. */
    public long malformedLines() {
        return malformedLines.sum();
    }

    /** Scans done since start. */
    public long scans() {
        return scans.sum();
    }

    @Override
    public void close() {
        Thread watcher;
        synchronized (this) {
            running = false;
            watcher = thread;
        }
        if (watcher != null) {
            try {
                watcher.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
