package io.daxguard.agent.source.scrub;

import io.daxguard.agent.ranges.ByteRange;

import io.daxguard.agent.failure.FailureTuple;
import io.daxguard.agent.failure.DeviceRef;
import io.daxguard.agent.failure.FailureSink;
import io.daxguard.support.MemberHolder;
import io.daxguard.agent.topology.DirectIoAlignment;
import io.daxguard.spi.Holder;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The scrub of one filesystem: reads its written extents (from the holder, in physical order) from the device
 * node with large {@code O_DIRECT} reads planned by {@link ReadPlanner} (whole logical blocks, adjacent extents
 * joined, small free gaps read through), several in flight on the {@link ScrubReaders} threads, each paid for in
 * the {@link TokenBucket} first. A read that fails with EIO is read again over its written parts only, bisected to
 * the logical block, and each bad run is submitted to the sink, the ingest queue (source {@code scrub}).
 *
 * <p>Runs on its own thread ({@code daxguard-scrub <mount point>}), started by {@link Scrubber}; that thread
 * walks, plans, acquires and takes the results in device order ({@link ScrubPass}) and owns the reader threads of
 * each pass. Control calls
 * (pause, resume, cancel, stop) come from other threads and are seen by the scrub thread after each read it hands
 * on: pause, cancel and stop leave the holder's extent walk (so no descriptor stays open on the mount while
 * paused), take the reads in flight, end the readers and save the position; pause then waits for resume.
 * Progress is read lock-free from volatile fields.
 *
 * <p>Over 400 lines because the pass, its state machine (run, pause, resume, cancel, stop) and the saved
 * position must change together under one lock; planning, reading and the rate limit are already apart.
 */
final class ScrubJob {
    private static final System.Logger LOG = System.getLogger(ScrubJob.class.getName());
    static final int MAX_READ = 8 << 20;
    /** Free gaps up to this wide between written extents are read through rather than split into two reads. */
    static final long MAX_GAP = 256 << 10;
    /** Reader threads, each with its own descriptor and buffer of {@link #MAX_READ} bytes. */
    static final int READERS = 2;
    /**
     * Reads handed to the readers and not yet taken: one more than the readers, so a reader that ends a read finds
     * the next one waiting while the scrub thread takes results. More readers did not read faster where measured (a
     * loop device serves its requests one at a time; see docs/PERFORMANCE.md), only interleaved more.
     */
    static final int IN_FLIGHT = READERS + 1;
    private static final long SAVE_EVERY_BYTES = 256L << 20;
    private static final int KEEP_BAD_RANGES = 100;

    private enum Request { NONE, PAUSE, CANCEL, STOP }

    /** Thrown through the holder's extent walk to leave it at a checkpoint. */
    private static final class Leave extends IOException {
        private static final long serialVersionUID = 1L;

        Leave() {
            super("scrub control");
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    private final String mountPoint;
    private final String uuid;
    private final Holder holder;
    private final List<Scrubber.Member> members;
    /** Bytes of every member: where the position ends. */
    private final long deviceSize;
    /** The member being read (its bad runs are reported on it). */
    private volatile Scrubber.Member current;
    private final FailureSink sink;
    private final ScrubPositionStore store;
    private final TokenBucket bucket;
    private final long rateLimit;
    private final Clock clock;
    private final Consumer<ScrubProgress> onFinished;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private Request request = Request.NONE;
    private volatile ScrubState state;
    private volatile long position;
    private volatile long bytesDone;
    private volatile WrittenBytesCount count;
    private volatile long bytesRead;
    private volatile long badRanges;
    private volatile long badBytes;
    private volatile String message = "";
    private final String startedAt;
    private final List<String> firstBad = new ArrayList<>();
    private volatile long runStartNanos;
    private volatile long runBytes;
    private volatile long runBytesRead;
    private long lastSaved;
    private Thread thread;

    ScrubJob(Scrubber.Target target, ScrubPositionStore.Saved from, FailureSink sink, ScrubPositionStore store,
             long rateLimit, Clock clock, Consumer<ScrubProgress> onFinished) {
        this.mountPoint = target.mountPoint();
        this.uuid = target.uuid();
        this.holder = target.holder();
        this.members = target.members();
        this.deviceSize = target.totalSize();
        this.current = members.get(0);
        this.sink = sink;
        this.store = store;
        this.bucket = new TokenBucket(rateLimit);
        this.rateLimit = rateLimit;
        this.clock = clock;
        this.onFinished = onFinished;
        this.state = from.state();
        this.position = from.position();
        this.lastSaved = from.position();
        this.badRanges = from.badRanges();
        this.badBytes = from.badBytes();
        this.startedAt = from.startedAt();
    }

    /** Starts the scrub thread; a job saved as PAUSED waits for {@link #resume} before reading. */
    void start() {
        if (state == ScrubState.PAUSED) {
            lock.lock();
            try {
                request = Request.PAUSE;
            } finally {
                lock.unlock();
            }
        }
        thread = new Thread(this::run, "daxguard-scrub " + mountPoint);
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            waitWhilePaused();
            count = WrittenBytesCount.start(holder, members, position, mountPoint);
            for (Scrubber.Member member : members) {
                current = member;
                // A filesystem over several devices is asked about each member; offsets relative to it.
                Holder view = MemberHolder.of(holder, member.device().number());
                int readSize = readSize(rateLimit, member.alignment());
                while (position < member.end()) {
                    try (ScrubReaders readers = new ScrubReaders(mountPoint, member.deviceNode(), member.size(),
                            member.alignment(), readSize, READERS)) {
                        ScrubPass pass = new ScrubPass(member.alignment(), member.size(), readSize, MAX_GAP, bucket,
                                readers, IN_FLIGHT, new Taken());
                        try {
                            view.forEachWrittenExtent(Math.max(position - member.base(), 0), member.size(),
                                    pass::extent);
                            pass.finish();
                            position = member.end();
                        } catch (Leave leave) {
                            // The reads in flight are paid for and under way: take them, so the position moves past.
                            pass.drain();
                            throw leave;
                        }
                    } catch (Leave leave) {
                        waitWhilePaused();
                    }
                }
            }
            count.await();
            finish(ScrubState.FINISHED);
        } catch (Leave | InterruptedException | InterruptedIOException stopped) {
            awaitCountQuietly();
            ended();
        } catch (IOException | RuntimeException e) {
            awaitCountQuietly();
            message = String.valueOf(e.getMessage());
            LOG.log(System.Logger.Level.ERROR, "scrub of " + mountPoint + " failed: " + message);
            finish(ScrubState.FAILED);
        }
    }

    /** The count thread ends with the scrub thread; what it failed with is already logged. */
    private void awaitCountQuietly() {
        try {
            if (count != null) {
                count.await();
            }
        } catch (IOException ignored) {
            // logged by the count
        }
    }

    /**
     * 8 MiB, or a quarter second's worth when rate limited, so a throttled read never sleeps long; whole logical
     * blocks either way.
     */
    private static int readSize(long rateLimit, DirectIoAlignment alignment) {
        long wanted = rateLimit == 0 ? MAX_READ : Math.max(64 << 10, Math.min(MAX_READ, rateLimit / 4));
        return (int) Math.max(alignment.logicalBlockSize(), alignment.floor(wanted));
    }

    /** What the pass tells the job, on the scrub thread. */
    private final class Taken implements ScrubPass.Job {
        @Override
        public void taken(ScrubReaders.Result result) throws IOException {
            for (ByteRange bad : result.bad()) {
                found(bad);
            }
            ScrubRead read = result.read();
            position = current.base() + read.end();
            bytesDone += read.writtenBytes();
            bytesRead += read.length();
            runBytes += read.writtenBytes();
            runBytesRead += read.length();
            if (position - lastSaved >= SAVE_EVERY_BYTES) {
                save(ScrubState.RUNNING);
            }
        }

        @Override
        public void checkpoint() throws Leave {
            ScrubJob.this.checkpoint();
        }
    }

    private void found(ByteRange bad) throws IOException {
        badRanges++;
        badBytes += bad.length();
        synchronized (firstBad) {
            if (firstBad.size() < KEEP_BAD_RANGES) {
                firstBad.add(bad.toString());
            }
        }
        DeviceRef device = current.device();
        LOG.log(System.Logger.Level.WARNING, "scrub of " + mountPoint + ": bad sectors on " + device.name() + " bytes " + bad);
        try {
            sink.submit(FailureTuple.mediaError(device, bad, "scrub", clock.instant()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Leave();
        }
    }

    /** After each read: leaves the walk if paused, cancelled or stopped. */
    private void checkpoint() throws Leave {
        lock.lock();
        try {
            if (request != Request.NONE) {
                throw new Leave();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Outside the walk: parks while paused; leaves for good when cancelled or stopped. */
    private void waitWhilePaused() throws IOException, InterruptedException {
        lock.lock();
        try {
            if (request == Request.PAUSE) {
                state = ScrubState.PAUSED;
                save(ScrubState.PAUSED);
                changed.signalAll();
                while (request == Request.PAUSE) {
                    changed.await();
                }
            }
            if (request == Request.CANCEL || request == Request.STOP) {
                throw new Leave();
            }
            state = ScrubState.RUNNING;
            runStartNanos = System.nanoTime();
            runBytes = 0;
            runBytesRead = 0;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The thread leaves because of cancel or stop. */
    private void ended() {
        lock.lock();
        try {
            if (request == Request.CANCEL) {
                state = ScrubState.CANCELLED;
                deleteQuietly();
            } else {
                saveQuietly(state == ScrubState.PAUSED ? ScrubState.PAUSED : ScrubState.RUNNING);
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void finish(ScrubState end) {
        lock.lock();
        try {
            state = end;
            deleteQuietly();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        LOG.log(System.Logger.Level.INFO, "scrub of " + mountPoint + " " + end.name().toLowerCase() + ": " + bytesRead
                + " bytes read, " + badRanges + " bad run(s), " + badBytes + " bad bytes");
        onFinished.accept(progress());
    }

    private void save(ScrubState as) throws IOException {
        store.save(uuid, new ScrubPositionStore.Saved(as, position, badRanges, badBytes, startedAt));
        lastSaved = position;
    }

    private void saveQuietly(ScrubState as) {
        try {
            save(as);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "could not save the scrub position of " + mountPoint + ": " + e.getMessage());
        }
    }

    private void deleteQuietly() {
        try {
            store.delete(uuid);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "could not delete the scrub position of " + mountPoint + ": " + e.getMessage());
        }
    }

    /** Asks the thread to pause and waits (bounded) until it has; returns the state then. */
    ScrubState pause() throws InterruptedException {
        return control(Request.PAUSE, ScrubState.RUNNING, () -> state != ScrubState.RUNNING);
    }

    ScrubState resume() throws InterruptedException {
        lock.lock();
        try {
            if (state != ScrubState.PAUSED) {
                throw new IllegalStateException("the scrub of " + mountPoint + " is " + state + ", not PAUSED");
            }
            request = Request.NONE;
            changed.signalAll();
            awaitUntil(() -> state != ScrubState.PAUSED);
            return state;
        } finally {
            lock.unlock();
        }
    }

    ScrubState cancel() throws InterruptedException {
        return control(Request.CANCEL, null, () -> state.isDone());
    }

    /** The agent stops: leave, saving the position as it is, so the next agent resumes. */
    void stop() throws InterruptedException {
        lock.lock();
        try {
            if (!state.isDone()) {
                request = Request.STOP;
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
        if (thread != null) {
            thread.join(TimeUnit.SECONDS.toMillis(30));
            if (thread.isAlive()) {
                thread.interrupt();
                thread.join(TimeUnit.SECONDS.toMillis(5));
            }
        }
    }

    private ScrubState control(Request wanted, ScrubState required, java.util.function.BooleanSupplier done)
            throws InterruptedException {
        lock.lock();
        try {
            if (state.isDone() || required != null && state != required) {
                throw new IllegalStateException("the scrub of " + mountPoint + " is " + state
                        + (required != null ? ", not " + required : ""));
            }
            request = wanted;
            changed.signalAll();
            awaitUntil(done);
            return state;
        } finally {
            lock.unlock();
        }
    }

    /** Waits (lock held) until {@code done}, at most 60 s: one read of 8 MiB never takes that long. */
    private void awaitUntil(java.util.function.BooleanSupplier done) throws InterruptedException {
        long nanos = TimeUnit.SECONDS.toNanos(60);
        while (!done.getAsBoolean() && nanos > 0) {
            nanos = changed.awaitNanos(nanos);
        }
    }

    ScrubState state() {
        return state;
    }

    ScrubProgress progress() {
        WrittenBytesCount counted = count;
        long total = counted == null ? 0 : Math.max(0, counted.total());
        long done = (counted == null ? 0 : counted.beforePosition()) + bytesDone;
        if (counted != null && counted.total() >= 0) {
            done = Math.min(done, total);
        }
        long rate = measuredRate(runBytes);
        long eta = state.isDone() ? 0 : rate > 0 && total > 0 ? Math.max(0, total - done) / rate : -1;
        List<String> bad;
        synchronized (firstBad) {
            bad = List.copyOf(firstBad);
        }
        return new ScrubProgress(mountPoint, state.name(), done, total, bytesRead, position, rate, eta, badRanges,
                badBytes, bad, startedAt, message);
    }

    /**
     * Device bytes per second read since the scrub (re)started, free gaps read through included: what the rate
     * limit limits; 0 unless running.
     */
    long readBytesPerSecond() {
        return measuredRate(runBytesRead);
    }

    private long measuredRate(long bytesSinceRunStart) {
        long elapsed = System.nanoTime() - runStartNanos;
        return state == ScrubState.RUNNING && bytesSinceRunStart > 0 && elapsed > 0
                ? (long) (bytesSinceRunStart * 1e9 / elapsed) : 0;
    }

    /** Bytes the token bucket has let this job read; every device read of a pass is acquired first. */
    long bytesGranted() {
        return bucket.granted();
    }
}
