package io.daxguard.support.index;

import io.daxguard.spi.DeviceNumber;
import io.daxguard.support.linux.FilesystemChanges;
import io.daxguard.support.linux.InodeCounts;
import io.daxguard.support.linux.NativeFile;
import java.io.IOException;
import java.io.InterruptedIOException;
import io.daxguard.spi.LinuxPath;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Consumer;

/**
 * The one thread that builds and rebuilds a {@link LiveReverseMap}'s index, the current index, and the
 * progress. Owned by the map: started by {@link #start}, stopped by {@link #close} (sets a flag the builder
 * polls between files, interrupts, joins up to 30 s, cancels waiting requests).
 *
 * <p>Over 400 lines because the queue of builds, a question joining a build already scheduled, the rate limit of
 * refreshes for unexplained blocks (and its refund when a refresh turns out incremental) and the stamp of the current
 * index change together under one lock, in the order of one build: apart, each piece would need the others' state.
 */
final class IndexBuildThread {
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(30);

    private final LinuxPath root;
    private final IndexOptions options;
    private final System.Logger logger;
    private final Consumer<IndexBuildProgress> listener;
    private final Thread thread;
    private final BlockingQueue<Request> requests = new LinkedBlockingQueue<>();
    private final CountDownLatch firstBuild = new CountDownLatch(1);
    private final Object lock = new Object();
    private final Set<CompletableFuture<ExtentIndex>> pending = new HashSet<>();
    private volatile ExtentIndex current;
    private volatile IndexBuildProgress progress = IndexBuildProgress.starting();
    private volatile boolean closed;
    private volatile boolean building;
    private CompletableFuture<ExtentIndex> latest;
    private long latestScheduledNanos;
    /**
     * Whether {@link #latest} has started: one still queued takes the change count after any question asked now, so
     * the question joins it rather than queueing another (a question storm on a changing filesystem queued one
     * refresh per question).
     */
    private boolean latestStarted;
    private long gapRefreshes;
    private long lastGapRefreshNanos;
    /** Builds scheduled, by {@link RebuildCause#ordinal()}; a question that joins a scheduled build adds nothing. */
    private final AtomicLongArray scheduled = new AtomicLongArray(RebuildCause.values().length);
    /** The filesystem's change counts and changed files, taken before each build starts walking. */
    private final IndexChanges changes;
    private volatile BuildStamp stamp;
    /**
     * The index whose build or refresh took the changed files last, which the files taken next are changes of: the
     * base of an incremental refresh. Null after a build that failed, or one whose changes were not known.
     */
    private volatile IncrementalRefresh.Base takenFor;
    /** Whether the last build was a full one: then the next refresh is rate-limited even if it looks incremental. */
    private volatile boolean lastBuiltInFull = true;
    /** The held filesystem's device: the root's when the thread started; a root on another is never indexed. */
    private final HeldDevice held;
    /** Inodes whose record a live confirmation rejected since the last build: checked again by the next refresh. */
    private final FilesToRecheck toRecheck = new FilesToRecheck();
    /** Why the next build must be a full one although the changes look incremental, or null. */
    private volatile String fullBuildDemanded;
    /** The gap-refresh slot granted last ({@link #mayRefreshForGaps}): when, and the slot time before it. */
    private long grantedGapSlotNanos = -1;
    private long gapSlotBeforeGrant;

    /**
     * @param changes the filesystem's change counts and changed files, taken on the build thread before each build
     *                starts, see {@link #changesBefore}
     */
    IndexBuildThread(LinuxPath root, IndexOptions options, System.Logger logger,
                     Consumer<IndexBuildProgress> listener, IndexChanges changes) {
        this.root = root;
        this.options = options;
        this.logger = logger;
        this.listener = listener;
        this.changes = changes;
        this.held = new HeldDevice(root);
        this.thread = new Thread(this::runBuilds, "daxguard-index " + root);
        this.thread.setDaemon(true);
    }

    /** Starts the thread and the first build. */
    void start() {
        // Requested first, so that once a saved index is current a build is already in flight to catch up.
        refreshStartedAfter(System.nanoTime(), RebuildCause.FIRST_BUILD);
        thread.start();
    }

    /**
     * An index, the filesystem's change count read before its build started, and the mounts at or below the root then
     * ({@link MountsBelow}; null when they could not be read).
     */
    private record BuildStamp(ExtentIndex index, long changesBefore, java.util.Set<Integer> mountsBefore) {
    }

    /** A build asked for, and why (counted by that cause, or as {@link RebuildCause#INCREMENTAL} when it is one). */
    private record Request(CompletableFuture<ExtentIndex> build, RebuildCause cause, long scheduledNanos) {
    }

    /** The held filesystem's device, and why a build was refused if it was. */
    HeldDevice held() {
        return held;
    }

    /**
     * Has the next incremental refresh check {@code inode} again by its names: live confirmation rejected its record,
     * which no event may explain (a file deleted and made again under its name and inode number, without a writable
     * open). Thread-safe.
     */
    void recheckOnNextRefresh(long inode) {
        toRecheck.rejected(inode);
    }

    /**
     * Makes the next build a full one: {@code reason} is a change no event names and an incremental refresh cannot
     * find (blocks deduplicated through a read-only descriptor: another file now shares them). Still rate-limited as
     * a refresh for unexplained blocks is ({@link #mayRefreshForGaps}).
     */
    void demandFullBuild(String reason) {
        fullBuildDemanded = reason;
    }

    /**
     * The filesystem's change count read before {@code index}'s build started walking, or -1 when unknown (changes
     * not counted, or an index this thread did not build).
     */
    long changesBefore(ExtentIndex index) {
        BuildStamp built = stamp;
        return built != null && built.index() == index ? built.changesBefore() : -1;
    }

    /**
     * The mounts at or below the root read before {@code index}'s build started walking (after its change count), or
     * null when unknown (not read, or an index this thread did not build).
     */
    java.util.Set<Integer> mountsBefore(ExtentIndex index) {
        BuildStamp built = stamp;
        return built != null && built.index() == index ? built.mountsBefore() : null;
    }

    /**
     * Builds scheduled so far, per cause (the first build included); a refresh that turned out incremental is counted
     * under {@link RebuildCause#INCREMENTAL} instead of its cause once it is done.
     */
    long builds(RebuildCause cause) {
        return scheduled.get(cause.ordinal());
    }

    ExtentIndex current() {
        return current;
    }

    IndexBuildProgress progress() {
        return progress;
    }

    /** Whether a build (the first or a refresh) is running now. */
    boolean isBuilding() {
        return building;
    }

    boolean awaitFirstBuild(Duration timeout) throws InterruptedException {
        return firstBuild.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** The body of the map's own thread: one build per request, until closed. */
    private void runBuilds() {
        boolean quiet = quiet();
        try {
            try (NativeFile mountPoint = NativeFile.openDirectory(root)) {
                held.check(mountPoint.status().device());
            } catch (IOException e) {
                // the first build fails on the same root with a clearer message, and looks again
            }
            loadSaved();
            while (!closed) {
                Request build;
                try {
                    build = requests.take();
                } catch (InterruptedException e) {
                    continue; // close() interrupts after setting closed
                }
                runBuild(build);
            }
        } finally {
            if (quiet) {
                try {
                    FilesystemChanges.unquietCurrentThread();
                } catch (IOException e) {
                    logger.log(System.Logger.Level.WARNING, "the index thread of " + root + " could not end its quiet"
                            + " writes: " + e);
                }
            }
        }
    }

    /**
     * This thread writes only its saved index, into the agent's state directory, which may be on the filesystem it
     * indexes: those writes are not changes that make the index stale ({@link FilesystemChanges#quietCurrentThread}).
     */
    private boolean quiet() {
        try {
            FilesystemChanges.quietCurrentThread();
            return true;
        } catch (IOException e) {
            logger.log(System.Logger.Level.WARNING, "the index thread of " + root + " could not mark its own writes"
                    + " (" + e + "); saving the index into " + root + " will count as a change");
            return false;
        }
    }

    /**
     * Makes the saved index current, when the options name one that loads: the map is ready at once, and the build
     * {@link #start} requested (queued, so it runs next) catches up with what changed while the agent was down.
     */
    private void loadSaved() {
        if (options.saved() == null) {
            return;
        }
        options.saved().load(root, System.nanoTime(), logger).ifPresent(index -> {
            current = index;
            building = true; // the catch-up build is queued and runs next
            publish(new IndexBuildProgress(IndexBuildProgress.State.READY, 0, 0, index.fileCount(),
                    index.extentCount(), index.fileCount(), ""));
            firstBuild.countDown();
        });
    }

    /**
     * Whether an unexplained range may cost a rebuild: always when it can join a build that started after
     * the question; otherwise at most once per {@link IndexOptions#gapRefreshInterval}. Blocks no file will
     * ever explain (metadata GETFSMAP calls unknown, all of it on XFS without rmapbt) must not rebuild the
     * index per query. A failed confirmation is never limited: it proves a change since the build. Nor is a
     * refresh that will most likely be incremental ({@link #refreshLooksIncremental}): it reads only the changed files.
     */
    boolean mayRefreshForGaps(long asked) {
        if (refreshLooksIncremental()) {
            return true;
        }
        synchronized (lock) {
            if (latest != null && (latestScheduledNanos >= asked || !latestStarted)
                    && !latest.isCompletedExceptionally()) {
                return true;
            }
            long now = System.nanoTime();
            if (gapRefreshes > 0 && now - lastGapRefreshNanos < options.gapRefreshInterval().toNanos()) {
                return false;
            }
            gapSlotBeforeGrant = gapRefreshes > 0 ? lastGapRefreshNanos : Long.MIN_VALUE;
            grantedGapSlotNanos = now;
            gapRefreshes++;
            lastGapRefreshNanos = now;
            return true;
        }
    }

    /**
     * Whether the next refresh will most likely be incremental: the current index took the last changed files, the
     * last build was not a full one (a full fallback is rate-limited, so changes the refresh cannot apply, directories
     * made over and over say, cannot walk the filesystem per question), and the files changed since are known and few.
     */
    private boolean refreshLooksIncremental() {
        IncrementalRefresh.Base base = takenFor;
        if (base == null || base.index() != current || lastBuiltInFull || fullBuildDemanded != null) {
            return false;
        }
        int pending = changes.pending();
        return pending >= 0 && IncrementalRefresh.worthIt(pending, base.index().fileCount());
    }

    /** The index of the build in flight or last finished, when newer than {@code index}; waits for it. */
    ExtentIndex newestAvailable(ExtentIndex index) throws IOException {
        CompletableFuture<ExtentIndex> inFlight;
        synchronized (lock) {
            inFlight = latest;
        }
        if (inFlight == null) {
            return index;
        }
        try {
            ExtentIndex newest = inFlight.get();
            return newest.startedNanos() > index.startedNanos() ? newest : index;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for the index of " + root);
        } catch (ExecutionException | CancellationException e) {
            return index;
        }
    }

    String notReadyReason() {
        IndexBuildProgress now = progress;
        if (now.state() == IndexBuildProgress.State.FAILED) {
            return "reverse-map index could not be built: " + now.failure();
        }
        if (now.state() == IndexBuildProgress.State.CLOSED) {
            return "reverse-map index closed";
        }
        return "reverse-map index being built, " + now.percentDone() + "% done; ask again when it is ready";
    }

    /**
     * Waits for an index whose build started at or after {@code asked} (System.nanoTime); {@code cause} is counted
     * when this call schedules the build, not when it joins one already scheduled.
     */
    ExtentIndex refreshedSince(long asked, RebuildCause cause) throws IOException {
        CompletableFuture<ExtentIndex> build = refreshStartedAfter(asked, cause);
        try {
            return build.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for the index of " + root);
        } catch (ExecutionException e) {
            throw new IOException("refreshing the index of " + root + " failed", e.getCause());
        } catch (CancellationException e) {
            throw new IOException("the index of " + root + " was closed", e);
        }
    }

    private CompletableFuture<ExtentIndex> refreshStartedAfter(long asked, RebuildCause cause) {
        synchronized (lock) {
            if (latest != null && (latestScheduledNanos >= asked || !latestStarted)
                    && !latest.isCompletedExceptionally()) {
                return latest;
            }
            CompletableFuture<ExtentIndex> build = new CompletableFuture<>();
            if (closed) {
                build.cancel(false);
                return build;
            }
            latestScheduledNanos = System.nanoTime();
            latestStarted = false;
            scheduled.incrementAndGet(cause.ordinal());
            latest = build;
            pending.add(build);
            requests.add(new Request(build, cause, latestScheduledNanos));
            return build;
        }
    }

    private void runBuild(Request request) {
        CompletableFuture<ExtentIndex> build = request.build();
        synchronized (lock) {
            if (latest == build) {
                latestStarted = true;
            }
        }
        building = true;
        try (NativeFile mountPoint = NativeFile.openDirectory(root)) {
            DeviceNumber rootDevice = held.check(mountPoint.status().device());
            long expected = InodeCounts.of(mountPoint).used();
            long builds = progress.builds();
            boolean first = current == null;
            logger.log(System.Logger.Level.INFO, (first ? "building" : "refreshing") + " the reverse-map index of "
                    + root + " (~" + expected + " inodes in use)");
            int[] loggedTenth = {0};
            ExtentIndexBuilder.ProgressListener heard = new ExtentIndexBuilder.ProgressListener() {
                @Override
                public void progress(long directories, long files, long extents) {
                    publish(new IndexBuildProgress(current == null ? IndexBuildProgress.State.BUILDING
                            : IndexBuildProgress.State.READY, builds, directories, files, extents, expected, ""));
                    int tenth = expected == 0 ? 0 : (int) Math.min(9, files * 10 / expected);
                    if (first && tenth > loggedTenth[0]) {
                        loggedTenth[0] = tenth;
                        logger.log(System.Logger.Level.INFO, "reverse-map index of " + root + ": " + progress);
                    }
                }

                @Override
                public void scannerFailed(IOException failure) {
                    logger.log(System.Logger.Level.WARNING, "scanning the inodes of " + root + " failed ("
                            + failure.getMessage() + "); building the index with FIEMAP per file instead");
                }
            };
            IncrementalRefresh.Base base = takenFor;
            takenFor = null;
            long started = System.nanoTime();
            FilesystemChanges.ChangedFiles taken = changes.take();
            long changesBefore = changesBeforeBuild(mountPoint, taken);
            java.util.Set<Integer> mountsBefore = mountsBeforeBuild();
            Set<LinuxPath> mounts = changesBefore < 0 ? null : IncrementalRefresh.mountsBeneath(root, logger);
            String demanded = fullBuildDemanded;
            fullBuildDemanded = null;
            if (demanded != null) {
                logger.log(System.Logger.Level.INFO, "reverse-map index of " + root + " rebuilt in full: " + demanded);
            }
            Set<Long> recheck = changesBefore < 0 || base == null || base.index() != current || demanded != null
                    ? null : filesToRecheck(rootDevice);
            ExtentIndex index = recheck == null ? null : IncrementalRefresh.attempt(base, taken, recheck, mounts,
                    options.extras(), () -> closed || Thread.interrupted(), started, logger);
            boolean incremental = index != null;
            if (incremental) {
                scheduled.decrementAndGet(request.cause().ordinal());
                scheduled.incrementAndGet(RebuildCause.INCREMENTAL.ordinal());
                refundGapSlot(request);
            } else {
                HeapBudget.checkFullBuild(root, expected, Runtime.getRuntime().maxMemory());
                index = new ExtentIndexBuilder(root, options.extras(), options.scanner(),
                        () -> closed || Thread.interrupted(), heard).build();
            }
            try (NativeFile rootAfter = NativeFile.openDirectory(root)) {
                held.check(rootAfter.status().device()); // unmounted mid-build: what was read may be the other's
            }
            held.built();
            stamp = new BuildStamp(index, changesBefore, mountsBefore);
            takenFor = mounts == null ? null : new IncrementalRefresh.Base(index, mounts);
            lastBuiltInFull = !incremental;
            current = index;
            publish(new IndexBuildProgress(IndexBuildProgress.State.READY, builds + 1, progress.directories(),
                    index.fileCount(), index.extentCount(), expected, ""));
            logger.log(System.Logger.Level.INFO, "reverse-map index of " + root + " ready: " + index.fileCount()
                    + " files, " + index.extentCount() + " extents, ~" + index.memoryBytes() / 1024 + " KiB, built in "
                    + index.buildTime().toMillis() + " ms");
            finish(build, index, null);
            if (options.saved() != null && !closed) {
                options.saved().save(index, logger);
            }
        } catch (Throwable e) {
            if (!closed) {
                if (e instanceof HeapBudget.HeapTooSmallException refused) {
                    logger.log(System.Logger.Level.ERROR, refused.getMessage());
                } else if (e instanceof HeldDevice.RootNotHeldException refused) {
                    logger.log(System.Logger.Level.ERROR, refused.getMessage());
                } else {
                    logger.log(System.Logger.Level.WARNING, "building the reverse-map index of " + root + " failed", e);
                }
                // With no index, or only the one loaded at start (its catch-up build failed: it knows nothing of what
                // changed while the agent was down), the status says why rather than READY.
                if (current == null || current.loaded()) {
                    publish(new IndexBuildProgress(IndexBuildProgress.State.FAILED, progress.builds(), 0, 0, 0, 0,
                            String.valueOf(e.getMessage())));
                }
            }
            finish(build, null, e);
            if (e instanceof Error error) {
                throw error;
            }
        } finally {
            building = false;
            firstBuild.countDown();
        }
    }

    /** Inodes to check again without an event ({@link FilesToRecheck}); null, and a full build, if not known. */
    private Set<Long> filesToRecheck(DeviceNumber device) {
        try {
            return toRecheck.take(device);
        } catch (IOException e) {
            logger.log(System.Logger.Level.WARNING, "cannot read the shared writable mappings from /proc ("
                    + e.getMessage() + "); the index of " + root + " is rebuilt in full");
            return null;
        }
    }

    /**
     * Gives back the gap-refresh slot {@code request} was granted when it turned out incremental: the rate limit is
     * for full walks, and a change no event names (a dedupe) found right after must not wait for it.
     */
    private void refundGapSlot(Request request) {
        synchronized (lock) {
            if (grantedGapSlotNanos >= 0 && lastGapRefreshNanos == grantedGapSlotNanos
                    && request.scheduledNanos() >= grantedGapSlotNanos) {
                gapRefreshes--;
                lastGapRefreshNanos = gapSlotBeforeGrant;
                grantedGapSlotNanos = -1;
            }
        }
    }

    /**
     * The change count the index about to be built answers for ({@code taken}, null when not counted). It is read
     * before the walk, so a change that completes after it moves the count past it; then the filesystem is synced, so
     * a write made before the read whose blocks were still delayed-allocation (no extent yet, and writeback sends no
     * event) has its blocks when the walk looks. A sync that fails (a writeback error) leaves the index unvouched for
     * (-1).
     */
    private long changesBeforeBuild(NativeFile mountPoint, FilesystemChanges.ChangedFiles taken) {
        if (taken == null || taken.fileChanges() < 0) {
            return -1;
        }
        long changes = taken.fileChanges();
        try {
            mountPoint.syncFilesystem();
            return changes;
        } catch (IOException e) {
            logger.log(System.Logger.Level.WARNING, "syncing " + root + " before indexing it failed (" + e.getMessage()
                    + "); blocks the index does not explain will rebuild it, rate-limited");
            return -1;
        }
    }

    /** Read after the change count: a mount made between the two is seen by both this read and the walk. */
    private java.util.Set<Integer> mountsBeforeBuild() {
        try {
            return MountsBelow.of(root);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private void finish(CompletableFuture<ExtentIndex> build, ExtentIndex index, Throwable failure) {
        synchronized (lock) {
            pending.remove(build);
        }
        if (failure == null) {
            build.complete(index);
        } else {
            build.completeExceptionally(failure);
        }
    }

    private void publish(IndexBuildProgress now) {
        if (closed) {
            return;
        }
        progress = now;
        try {
            listener.accept(now);
        } catch (RuntimeException e) {
            logger.log(System.Logger.Level.WARNING, "index progress listener failed", e);
        }
    }

    /** Stops the thread and cancels every waiting request; see the class comment. */
    void close() {
        List<CompletableFuture<ExtentIndex>> waiting;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            waiting = new ArrayList<>(pending);
            pending.clear();
        }
        thread.interrupt();
        try {
            thread.join(CLOSE_WAIT.toMillis());
            if (thread.isAlive()) {
                logger.log(System.Logger.Level.WARNING, "index thread of " + root + " did not stop in " + CLOSE_WAIT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            waiting.forEach(build -> build.cancel(false));
            progress = new IndexBuildProgress(IndexBuildProgress.State.CLOSED, progress.builds(), 0, 0, 0, 0, "");
            firstBuild.countDown();
        }
    }
}
