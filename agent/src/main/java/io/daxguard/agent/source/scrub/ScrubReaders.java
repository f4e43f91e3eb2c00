package io.daxguard.agent.source.scrub;

import io.daxguard.agent.ranges.ByteRange;
import io.daxguard.agent.source.probe.MediaProbe;
import io.daxguard.agent.topology.DirectIoAlignment;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The reader threads of one scrub pass ({@code daxguard-scrub-read <mount point> N}): a fixed pool, each read
 * done with one of as many {@link MediaProbe}s (a descriptor on the device node and an aligned buffer each), so
 * several {@code O_DIRECT} reads are in flight at once and the device's queue stays full while the scrub thread
 * plans and accounts. A read that fails with EIO is read again over its written parts only, each bisected to
 * the logical block: a bad sector in a free gap that was read through is never reported.
 *
 * <p>Owned by the scrub thread, which makes one per pass (a paused scrub keeps no thread and no descriptor) and
 * closes it when the pass ends: no new reads, the waiting ones dropped, the running ones finished (a
 * {@code pread} cannot be interrupted, it ends by itself), then the probes closed.
 */
final class ScrubReaders implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ScrubReaders.class.getName());
    private static final long CLOSE_WAIT_SECONDS = 60;

    /** A read done: the bad logical blocks of its written parts, as maximal runs in order; empty when all read. */
    record Result(ScrubRead read, List<ByteRange> bad) {
        Result {
            bad = List.copyOf(bad);
        }
    }

    private final String mountPoint;
    private final ExecutorService threads;
    private final BlockingQueue<MediaProbe> idle;
    private final List<MediaProbe> probes = new ArrayList<>();

    /**
     * @param count      reader threads, and probes
     * @param bufferSize each probe's largest read: at least the largest {@link ScrubRead}
     */
    ScrubReaders(String mountPoint, Path deviceNode, long deviceSize, DirectIoAlignment alignment, int bufferSize,
                 int count) throws IOException {
        if (count < 1) {
            throw new IllegalArgumentException("count must be positive, was " + count);
        }
        this.mountPoint = mountPoint;
        this.idle = new ArrayBlockingQueue<>(count);
        try {
            for (int i = 0; i < count; i++) {
                MediaProbe probe = new MediaProbe(deviceNode, deviceSize, alignment, bufferSize);
                probes.add(probe);
                idle.add(probe);
            }
        } catch (IOException | RuntimeException e) {
            closeProbes();
            throw e;
        }
        AtomicInteger number = new AtomicInteger();
        this.threads = Executors.newFixedThreadPool(count, runnable -> {
            Thread thread = new Thread(runnable, "daxguard-scrub-read " + mountPoint + " " + number.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Hands a read to a reader thread. */
    Future<Result> submit(ScrubRead read) {
        return threads.submit(() -> readWith(read));
    }

    private Result readWith(ScrubRead read) throws IOException, InterruptedException {
        // As many probes as threads: one is always idle when a thread starts a read.
        MediaProbe probe = idle.take();
        try {
            if (probe.readFully(read.offset(), read.length())) {
                return new Result(read, List.of());
            }
            List<ByteRange> bad = new ArrayList<>();
            for (ByteRange part : read.written()) {
                bad.addAll(probe.findBad(part.offset(), part.length()));
            }
            return new Result(read, bad);
        } finally {
            idle.add(probe);
        }
    }

    @Override
    public void close() {
        threads.shutdownNow();
        // Waits even when interrupted (the agent's stop interrupts a slow scrub thread): the running reads end by
        // themselves, and only then may their buffers be freed.
        boolean ended = false;
        boolean interrupted = false;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CLOSE_WAIT_SECONDS);
        while (!ended && deadline - System.nanoTime() > 0) {
            try {
                ended = threads.awaitTermination(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (ended) {
            closeProbes();
        } else {
            // A reader may still be inside pread on a probe's buffer: freeing it now would let the kernel write
            // into freed memory. Leaving the probes to the garbage collector is the lesser harm.
            LOG.log(System.Logger.Level.WARNING, "scrub readers of " + mountPoint + " did not end within "
                    + CLOSE_WAIT_SECONDS + " s; their descriptors stay open");
        }
    }

    private void closeProbes() {
        for (MediaProbe probe : probes) {
            try {
                probe.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "closing a scrub reader of " + mountPoint + ": " + e.getMessage());
            }
        }
    }
}
