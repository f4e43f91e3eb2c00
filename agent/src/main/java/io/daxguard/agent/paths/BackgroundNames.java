package io.daxguard.agent.paths;

import io.daxguard.support.linux.FilesystemChanges;
import io.daxguard.support.linux.NativeCallException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Walks the trees of filesystems whose holders keep no names (XFS with rmapbt: GETFSMAP names inodes, not paths)
 * before any failure asks, and walks again after they change, so a cold question costs the reverse map and a few
 * {@code statx}, not a walk of the whole tree ({@link FilePaths#walks()} stays where the background left it).
 *
 * <p>Each kept filesystem gets a fanotify group ({@link FilesystemChanges}: no thread, one {@code FIONREAD} per
 * look) that is looked at every {@code checkEvery}; when it counted a change since the last walk began, the tree is
 * walked again, but not before {@code minimumGap} has passed since that walk began, nor before five times that
 * walk's duration (a tree that takes 10 s to walk is walked at most every 50 s: the background costs at most a fifth
 * of one core). Without fanotify (no CAP_SYS_ADMIN, past {@code fs.fanotify.max_user_groups}) the tree is walked
 * once, at attach. The walk is a shortcut only: while nothing changed the names since the walk began ({@link NameChanges}:
 * every thread's changes of the filesystem, the mounts at or below its mount point), the walk vouches for its names ({@link FilePaths#vouchWith}); after a
 * change every answer is checked with {@code statx}, and a question the walk cannot answer for sure walks again on
 * its own thread, as before.
 *
 * <p>Threads: one {@code daxguard-names} thread, made at the first {@link #keep}, walks every kept filesystem in
 * turn; {@link #stop} (the filesystem was detached) cancels its checks and closes its group; {@link #close}
 * interrupts the thread (a walk stops at its next directory read), waits for it (10 s) and closes every group.
 */
public final class BackgroundNames implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(BackgroundNames.class.getName());
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

    private final Duration checkEvery;
    private final Duration minimumGap;
    private final Map<FilePaths, Kept> kept = new ConcurrentHashMap<>();
    private ScheduledExecutorService thread;
    private boolean closed;

    /**
     * @param checkEvery how often each filesystem's change count is looked at
     * @param minimumGap the least time between two walks of one tree
     */
    public BackgroundNames(Duration checkEvery, Duration minimumGap) {
        if (checkEvery.isNegative() || checkEvery.isZero() || minimumGap.isNegative()) {
            throw new IllegalArgumentException("checkEvery must be positive and minimumGap not negative, were "
                    + checkEvery + ", " + minimumGap);
        }
        this.checkEvery = checkEvery;
        this.minimumGap = minimumGap;
    }

    /** Looks every second, walks at most every 30 s. */
    public static BackgroundNames defaults() {
        return new BackgroundNames(Duration.ofSeconds(1), Duration.ofSeconds(30));
    }

    /** Walks {@code paths}' tree now in the background, and again after each change (see the class comment). */
    public synchronized void keep(FilePaths paths) {
        Objects.requireNonNull(paths, "paths is null");
        if (closed || kept.containsKey(paths)) {
            return;
        }
        if (thread == null) {
            thread = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread named = new Thread(runnable, "daxguard-names");
                named.setDaemon(true);
                return named;
            });
        }
        Kept one = new Kept(paths, watch(paths));
        if (one.changes != null) {
            // A walk that began after the last change answers without a statx per name (FilePaths).
            paths.vouchWith(new NameChanges(one.changes, paths.mountPoint()));
        }
        kept.put(paths, one);
        one.checks = thread.scheduleWithFixedDelay(one::walkIfChanged, 0, checkEvery.toNanos(),
                TimeUnit.NANOSECONDS);
    }

    private static FilesystemChanges watch(FilePaths paths) {
        try {
            return FilesystemChanges.watch(paths.mountPoint());
        } catch (NativeCallException e) {
            LOG.log(System.Logger.Level.INFO, "names in " + paths.mountPoint() + " are walked once in the background;"
                    + " after a change a question walks again (" + e.getMessage() + ")");
            return null;
        }
    }

    /** Stops keeping {@code paths} (its filesystem was detached); a walk in progress finishes. */
    public void stop(FilePaths paths) {
        Kept one = kept.remove(paths);
        if (one != null) {
            one.close();
        }
    }

    @Override
    public void close() {
        ScheduledExecutorService running;
        synchronized (this) {
            closed = true;
            running = thread;
        }
        if (running != null) {
            running.shutdownNow();
            try {
                if (!running.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                    LOG.log(System.Logger.Level.WARNING, "the daxguard-names thread did not stop in " + CLOSE_WAIT);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        List.copyOf(kept.keySet()).forEach(this::stop);
    }

    /** One kept filesystem: its names, its change count, and when its last walk began and how long it took. */
    private final class Kept {
        private final FilePaths paths;
        private final FilesystemChanges changes;
        private volatile ScheduledFuture<?> checks;
        /** The change count read before the last walk began; -1 before the first walk. */
        private long walkedAt = -1;
        private long lastWalkStarted;
        private long lastWalkNanos;
        private boolean unwatched;
        private volatile boolean stopped;

        Kept(FilePaths paths, FilesystemChanges changes) {
            this.paths = paths;
            this.changes = changes;
        }

        /** On the names thread only. */
        void walkIfChanged() {
            if (stopped) {
                return;
            }
            long count;
            try {
                count = changes == null ? 0 : changes.changesSince();
            } catch (NativeCallException | IllegalStateException e) {
                if (!unwatched && !stopped) {
                    unwatched = true;
                    LOG.log(System.Logger.Level.WARNING, "cannot read the changes of " + paths.mountPoint() + " ("
                            + e.getMessage() + "); its names are walked again only when a question needs it");
                }
                return;
            }
            boolean first = walkedAt < 0;
            if (!first && (changes == null || count == walkedAt)) {
                return;
            }
            long now = System.nanoTime();
            long gap = Math.max(minimumGap.toNanos(), 5 * lastWalkNanos);
            if (!first && now - lastWalkStarted < gap) {
                return;
            }
            // Read before the walk: a change during it moves the count, and the tree is walked again.
            walkedAt = count;
            lastWalkStarted = now;
            try {
                paths.walkAhead();
            } catch (java.util.concurrent.CancellationException stopping) {
                return; // close() interrupted the walk
            } catch (IOException | RuntimeException e) {
                // The question that needs the names walks again and reports the error itself.
                LOG.log(System.Logger.Level.INFO, "walking " + paths.mountPoint() + " in the background failed: " + e);
            }
            lastWalkNanos = System.nanoTime() - now;
        }

        void close() {
            stopped = true;
            paths.vouchWith(null);
            ScheduledFuture<?> scheduled = checks;
            if (scheduled != null) {
                scheduled.cancel(false);
            }
            if (changes != null) {
                try {
                    changes.close();
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.WARNING, "closing the change watch of " + paths.mountPoint() + ": "
                            + e.getMessage());
                }
            }
        }
    }
}
