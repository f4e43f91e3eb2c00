package io.daxguard.agent.source.scrub;

import io.daxguard.agent.topology.DirectIoAlignment;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * One walk of a scrub over the written extents from its position: a {@link ReadPlanner} turns the extents into
 * large reads, each is paid for in the {@link TokenBucket} (so the limit holds however many readers there are)
 * and handed to the {@link ScrubReaders}, at most {@code inFlight} at a time; the results are taken in device
 * order, so the job's position only ever moves past bytes that were read and findings are reported in order.
 *
 * <p>Not thread safe: the scrub thread walks, plans, acquires and takes; only the reads run on the readers.
 */
final class ScrubPass {
    /** The job the pass works for, on the scrub thread. */
    interface Job {
        /** A read taken, in device order: report its findings, move the position past it. */
        void taken(ScrubReaders.Result result) throws IOException;

        /** After each read handed on: throws to leave the walk (pause, cancel, stop). */
        void checkpoint() throws IOException;
    }

    private final TokenBucket bucket;
    private final ScrubReaders readers;
    private final int inFlight;
    private final Job job;
    private final ReadPlanner planner;
    private final ArrayDeque<Future<ScrubReaders.Result>> waiting = new ArrayDeque<>();

    ScrubPass(DirectIoAlignment alignment, long deviceSize, int readSize, long maxGap, TokenBucket bucket,
              ScrubReaders readers, int inFlight, Job job) {
        if (inFlight < 1) {
            throw new IllegalArgumentException("inFlight must be positive, was " + inFlight);
        }
        this.bucket = Objects.requireNonNull(bucket, "bucket is null");
        this.readers = Objects.requireNonNull(readers, "readers is null");
        this.inFlight = inFlight;
        this.job = Objects.requireNonNull(job, "job is null");
        this.planner = new ReadPlanner(alignment, deviceSize, readSize, maxGap, this::submit);
    }

    /** The next written extent of the holder's walk, in physical order. */
    void extent(long offset, long length) throws IOException {
        planner.extent(offset, length);
    }

    /** After the walk: reads what is planned and takes every read. */
    void finish() throws IOException {
        planner.flush();
        drain();
    }

    /** Takes the reads in flight (they are paid for and under way), planning nothing more. */
    void drain() throws IOException {
        while (!waiting.isEmpty()) {
            takeOldest();
        }
    }

    private void submit(ScrubRead read) throws IOException {
        try {
            bucket.acquire(read.length());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("scrub stopped while waiting for the rate limit");
        }
        waiting.add(readers.submit(read));
        while (waiting.size() >= inFlight) {
            takeOldest();
        }
        job.checkpoint();
    }

    private void takeOldest() throws IOException {
        ScrubReaders.Result result;
        try {
            result = waiting.peek().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("scrub stopped while waiting for a read");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
        waiting.remove();
        job.taken(result);
    }
}
