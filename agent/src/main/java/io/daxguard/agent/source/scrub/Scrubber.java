package io.daxguard.agent.source.scrub;

import io.daxguard.agent.failure.DeviceRef;
import io.daxguard.agent.failure.FailureSink;
import io.daxguard.agent.plugins.Filesystems;
import io.daxguard.agent.topology.Topology;
import java.util.function.Supplier;
import io.daxguard.agent.plugins.AttachedFilesystem;
import io.daxguard.agent.topology.BlockDevice;
import io.daxguard.agent.topology.DirectIoAlignment;
import io.daxguard.spi.Holder;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The scrub service: at most one scrub per filesystem, each on its own thread ({@link ScrubJob}), controlled
 * by mount point (the Filesystem MBean's operations). Positions are saved under
 * {@code <stateDirectory>/scrub/<uuid>.position}; {@link #resumeSaved} (at agent start) continues scrubs that
 * were running when the last agent stopped and shows paused ones as PAUSED.
 *
 * <p>Threads: the scrub threads belong to their jobs, which this service starts and, in {@link #close}, stops
 * (each saves its position). Control calls are serialised on this object.
 */
public final class Scrubber implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Scrubber.class.getName());

    private final Filesystems filesystems;
    private final Supplier<Topology> topology;
    private final FailureSink sink;
    private final ScrubPositionStore store;
    private final Path devices;
    private final Path sysfs;
    private final long rateLimit;
    private final Clock clock;
    private final Consumer<ScrubProgress> onFinished;
    private final Map<String, ScrubJob> jobs = new HashMap<>();
    private final Map<String, ScrubProgress> lastFinished = new HashMap<>();
    private boolean closed;
    private java.util.concurrent.ScheduledExecutorService schedule;

    /**
     * @param stateDirectory where positions are kept
     * @param devices        where device nodes are ({@code /dev})
     * @param sysfs          where sysfs is (each device's logical block size and DMA alignment)
     * @param rateLimit      bytes per second per scrub; 0 for no limit
     * @param onFinished     told (on the scrub thread) when a scrub finished or failed
     */
    public Scrubber(Filesystems filesystems, Supplier<Topology> topology, FailureSink sink, Path stateDirectory,
                    Path devices, Path sysfs, long rateLimit, Clock clock, Consumer<ScrubProgress> onFinished) {
        this.filesystems = Objects.requireNonNull(filesystems, "filesystems is null");
        this.topology = Objects.requireNonNull(topology, "topology is null");
        this.sink = Objects.requireNonNull(sink, "sink is null");
        this.store = new ScrubPositionStore(stateDirectory);
        this.devices = Objects.requireNonNull(devices, "devices is null");
        this.sysfs = Objects.requireNonNull(sysfs, "sysfs is null");
        if (rateLimit < 0) {
            throw new IllegalArgumentException("rateLimit must not be negative, was " + rateLimit);
        }
        this.rateLimit = rateLimit;
        this.clock = Objects.requireNonNull(clock, "clock is null");
        this.onFinished = Objects.requireNonNull(onFinished, "onFinished is null");
    }

    /**
     * What a scrub job reads: each member device of the filesystem in turn (one for most; btrfs: every device it
     * spans), and how its reads must be aligned. The job's position runs over the members one after another.
     */
    record Target(String mountPoint, String uuid, Holder holder, List<Member> members) {
        Target {
            members = List.copyOf(members);
            if (members.isEmpty()) {
                throw new IllegalArgumentException("a scrub reads at least one device");
            }
        }

        /** Bytes of every member: the end of the job's position. */
        long totalSize() {
            Member last = members.get(members.size() - 1);
            return last.base() + last.size();
        }
    }

    /**
     * One member device of a scrub's filesystem.
     *
     * @param base where the member starts in the job's position (the sizes of the members before it)
     */
    record Member(DeviceRef device, Path deviceNode, long size, DirectIoAlignment alignment, long base) {
        long end() {
            return base + size;
        }
    }

    private Target target(String mountPoint) throws IOException {
        AttachedFilesystem filesystem = filesystems.atMountPoint(mountPoint)
                .orElseThrow(() -> new IllegalArgumentException("no filesystem is mounted at " + mountPoint));
        Holder holder = filesystem.holder().orElseThrow(() -> new IllegalStateException(
                mountPoint + " is not held (" + filesystem.refusal().orElse("") + "): it cannot be scrubbed"));
        Topology now = topology.get();
        List<Member> members = new ArrayList<>();
        long base = 0;
        for (io.daxguard.spi.DeviceNumber number : filesystems.members(filesystem)) {
            BlockDevice device = now.byNumber(number).orElseThrow(() -> new IllegalStateException(
                    "the device " + number + " of " + mountPoint + " is not in the topology"));
            members.add(new Member(new DeviceRef(device.number(), device.name()), devices.resolve(device.name()),
                    device.size(), DirectIoAlignment.ofDevice(sysfs, device.name()), base));
            base += device.size();
        }
        return new Target(mountPoint, holder.info().uuid(), holder, members);
    }

    /** Starts a scrub from the beginning. */
    public synchronized ScrubProgress start(String mountPoint) {
        checkOpen();
        ScrubJob existing = jobs.get(mountPoint);
        if (existing != null && !existing.state().isDone()) {
            throw new IllegalStateException("the scrub of " + mountPoint + " is already " + existing.state()
                    + (existing.state() == ScrubState.PAUSED ? ": resume or cancel it" : ""));
        }
        Target target;
        try {
            target = target(mountPoint);
        } catch (IOException e) {
            throw new IllegalStateException("cannot scrub " + mountPoint + ": " + e.getMessage(), e);
        }
        ScrubJob job = newJob(target, new ScrubPositionStore.Saved(ScrubState.RUNNING, 0, 0, 0,
                clock.instant().toString()));
        return job.progress();
    }

    private ScrubJob newJob(Target target, ScrubPositionStore.Saved from) {
        ScrubJob job = new ScrubJob(target, from, sink, store, rateLimit, clock, this::finished);
        jobs.put(target.mountPoint(), job);
        lastFinished.remove(target.mountPoint());
        job.start();
        return job;
    }

    private void finished(ScrubProgress progress) {
        synchronized (this) {
            lastFinished.put(progress.mountPoint(), progress);
        }
        onFinished.accept(progress);
    }

    public ScrubProgress pause(String mountPoint) throws InterruptedException {
        ScrubJob job = job(mountPoint);
        job.pause();
        return job.progress();
    }

    public ScrubProgress resume(String mountPoint) throws InterruptedException {
        ScrubJob job = job(mountPoint);
        job.resume();
        return job.progress();
    }

    public ScrubProgress cancel(String mountPoint) throws InterruptedException {
        ScrubJob job = job(mountPoint);
        job.cancel();
        return job.progress();
    }

    private synchronized ScrubJob job(String mountPoint) {
        checkOpen();
        ScrubJob job = jobs.get(mountPoint);
        if (job == null) {
            throw new IllegalStateException("no scrub of " + mountPoint + " was started");
        }
        return job;
    }

    /** The scrub of a filesystem now: running, paused, the last one's result, or IDLE. */
    public synchronized ScrubProgress progress(String mountPoint) {
        ScrubJob job = jobs.get(mountPoint);
        if (job != null) {
            return job.progress();
        }
        return Optional.ofNullable(lastFinished.get(mountPoint)).orElse(ScrubProgress.idle(mountPoint));
    }

    /**
     * Device bytes per second the running scrubs read, measured since each (re)started, free gaps read through
     * included (0 when none runs): the {@code scrub.bytesPerSecond} gauge, comparable with {@link #rateLimit}.
     */
    public synchronized long bytesPerSecond() {
        return jobs.values().stream().mapToLong(ScrubJob::readBytesPerSecond).sum();
    }

    /** The configured limit of each scrub's device reads, bytes per second; 0 for none. */
    public long rateLimit() {
        return rateLimit;
    }

    /** Continues the scrubs saved by the last agent: RUNNING ones run on, PAUSED ones wait for resume. */
    public synchronized void resumeSaved() {
        for (AttachedFilesystem filesystem : filesystems.all()) {
            if (filesystem.holder().isEmpty() || jobs.containsKey(filesystem.mount().mountPoint().toString())) {
                continue;
            }
            try {
                Target target = target(filesystem.mount().mountPoint().toString());
                Optional<ScrubPositionStore.Saved> saved = store.load(target.uuid());
                if (saved.isPresent() && !saved.get().state().isDone()) {
                    LOG.log(System.Logger.Level.INFO, "scrub of " + target.mountPoint() + " continues "
                            + saved.get().state() + " at byte " + saved.get().position());
                    newJob(target, saved.get());
                }
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot continue the saved scrub of "
                        + filesystem.mount().mountPoint() + ": " + e.getMessage());
            }
        }
    }

    /**
     * Starts a scrub of every held filesystem that is not being scrubbed, now and then every {@code every}; zero
     * means never. The schedule's thread ({@code daxguard-scrub-schedule}) only starts scrubs; it stops at
     * {@link #close}.
     */
    public synchronized void scheduleEvery(java.time.Duration every) {
        if (every.isZero()) {
            return;
        }
        checkOpen();
        schedule = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "daxguard-scrub-schedule");
            thread.setDaemon(true);
            return thread;
        });
        schedule.scheduleWithFixedDelay(this::startAllIdle, every.toMillis(), every.toMillis(),
                java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    private void startAllIdle() {
        for (AttachedFilesystem filesystem : filesystems.all()) {
            String mountPoint = filesystem.mount().mountPoint().toString();
            if (filesystem.holder().isEmpty()) {
                continue;
            }
            try {
                synchronized (this) {
                    ScrubJob job = jobs.get(mountPoint);
                    if (!closed && (job == null || job.state().isDone())) {
                        start(mountPoint);
                    }
                }
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "scheduled scrub of " + mountPoint + " not started: " + e.getMessage());
            }
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the scrubber is stopped");
        }
    }

    /** Stops every scrub thread; running and paused scrubs keep their saved positions. */
    @Override
    public void close() {
        Map<String, ScrubJob> running;
        synchronized (this) {
            closed = true;
            running = Map.copyOf(jobs);
            if (schedule != null) {
                schedule.shutdownNow();
            }
        }
        for (ScrubJob job : running.values()) {
            try {
                job.stop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
