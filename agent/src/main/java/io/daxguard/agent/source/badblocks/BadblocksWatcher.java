package io.daxguard.agent.source.badblocks;

import io.daxguard.agent.failure.FailureSource;
import io.daxguard.agent.ranges.ByteRange;
import io.daxguard.agent.ranges.RangeSet;

import io.daxguard.support.linux.NativeCallException;
import io.daxguard.support.linux.NativeFile;
import io.daxguard.support.linux.Poll;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
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
 * <p>One device never stops the others: a file that cannot be read (a refused read, an errno of the driver) is
 * logged and counted, its last ranges are kept as they were (not cleared), and the scan goes on with the next
 * device. A listener that throws (the device went between its list and its number, a sink that fails) leaves
 * that device's changes unreported: they are reported again at the next scan, so nothing listed is lost.
 *
 * <p>Thread: {@code daxguard-badblocks}, owned here, started by {@link #start}. It polls in slices of at most
 * 250 ms so {@link #close} (clear the flag, join) stops it promptly. If it ends other than by close, it tells the
 * {@link FailureSource.ThreadEnded} it was started with, and may be started again. {@link #scanNow} may also be
 * called from any thread (scans are serialised).
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
    /** Devices whose file could not be read at the last scan: logged once until it reads again. */
    private final Set<String> unreadable = new HashSet<>();
    private final LongAdder malformedLines = new LongAdder();
    private final LongAdder scans = new LongAdder();
    private final LongAdder unreadableFiles = new LongAdder();
    private final LongAdder unreported = new LongAdder();
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

    /** {@link #start(FailureSource.ThreadEnded)} for a watcher nobody restarts: an end is only logged. */
    public void start() throws IOException, InterruptedException {
        start(cause -> LOG.log(System.Logger.Level.ERROR, "badblocks watch ended", cause));
    }

    /**
     * Scans once on the caller's thread (reporting what changed since the last scan: at the first start, everything
     * listed now), then watches on its own thread; an end of that thread other than by {@link #close} is told to
     * {@code ended}. Called again after such an end, it goes on from the ranges seen so far.
     */
    public synchronized void start(FailureSource.ThreadEnded ended) throws IOException, InterruptedException {
        if (thread != null) {
            // A thread that told its end is finishing; one still watching would not end here.
            thread.join(10_000);
            if (thread.isAlive()) {
                throw new IllegalStateException("already running");
            }
        }
        scanNow();
        running = true;
        thread = new Thread(() -> watchLoop(ended), "daxguard-badblocks");
        thread.setDaemon(true);
        thread.start();
    }

    private void watchLoop(FailureSource.ThreadEnded ended) {
        Throwable cause = null;
        try {
            watch();
        } catch (RuntimeException | Error e) {
            cause = e;
        } finally {
            if (running) {
                ended.ended(cause != null ? cause : new IllegalStateException("the badblocks watch loop returned"));
            }
        }
    }

    private void watch() {
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
                // Nothing here interrupts this thread: an interrupt is not a close, so it is an end like any other.
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
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

    /**
     * Reads every badblocks file now and reports the differences from the last scan. A device whose file cannot
     * be read, or whose changes the listener refused, is logged, counted and left for the next scan; the others are
     * scanned.
     *
     * @throws IOException when {@code <sysfs>/block} itself cannot be listed
     */
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
            } catch (IOException refused) {
                // Its last ranges stay as they were: a list that cannot be read has not been cleared.
                unreadableFiles.increment();
                LOG.log(unreadable.add(device) ? System.Logger.Level.WARNING : System.Logger.Level.DEBUG,
                        entry.getValue() + " cannot be read (" + refused + "); it is read again at every scan");
                continue;
            }
            if (unreadable.remove(device)) {
                LOG.log(System.Logger.Level.INFO, entry.getValue() + " reads again");
            }
            RangeSet now = parse(device, text);
            RangeSet before = lastSeen.getOrDefault(device, new RangeSet());
            List<ByteRange> added = now.minus(before);
            List<ByteRange> cleared = before.minus(now);
            try {
                if (!cleared.isEmpty()) {
                    LOG.log(System.Logger.Level.INFO, device + ": poison cleared on " + cleared);
                    listener.cleared(device, cleared);
                }
                if (!added.isEmpty()) {
                    listener.added(device, added);
                }
            } catch (RuntimeException refused) {
                // Seen only once handed on: the next scan reports these changes again (a cleared range may be told
                // twice, which forgets it twice; an added one that was not recorded is not lost).
                unreported.increment();
                LOG.log(System.Logger.Level.WARNING, device + ": changes of its badblocks list not handed on ("
                        + refused.getMessage() + "); reported again at the next scan");
                continue;
            }
            lastSeen.put(device, now);
        }
        for (String gone : new ArrayList<>(lastSeen.keySet())) {
            if (!files.containsKey(gone)) {
                lastSeen.remove(gone);
            }
        }
        unreadable.retainAll(files.keySet());
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

    /** Times a badblocks file could not be read (other than gone). */
    public long unreadableFiles() {
        return unreadableFiles.sum();
    }

    /** Times a device's changes were not handed on (the listener threw) and left for the next scan. */
    public long unreported() {
        return unreported.sum();
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
