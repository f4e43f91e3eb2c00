package io.daxguard.agent.route;

import io.daxguard.support.linux.NativeFile;
import io.daxguard.support.linux.Poll;
import io.daxguard.support.linux.Wakeup;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Follows the mount table as it changes: {@code poll} on an open {@code /proc/self/mountinfo} raises
 * {@code POLLPRI | POLLERR} after each mount, unmount or remount in the namespace (proc(5)), and each time the
 * topology is refreshed ({@link LiveTopology#refreshIfMountsChanged}). So a filesystem unmounted is detached at once
 * (its holder closes, and with it any descriptor on the block device, so {@code losetup -d} can free a loop device),
 * and one mounted elsewhere, or re-made and mounted, is attached there and its damage history reviewed, without
 * waiting for a failure on it, an operator's {@code refreshTopology} or the identity check.
 *
 * <p>Thread: one {@code daxguard-mount-watch}, started by {@link #start} and ended by {@link #close}, which wakes
 * its wait through an eventfd polled beside the mount table (no timeout slices). An error (the table cannot be
 * opened, a refresh fails) is logged and the watch starts over after a backoff (1 s doubling to 60 s, back to 1 s
 * after a refresh that worked), waiting on the same eventfd so that close never waits for the backoff. A mount
 * table that is a regular file (a test's made-up table) never raises {@code POLLPRI}: the thread only waits.
 */
public final class MountWatcher implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(MountWatcher.class.getName());
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    private static final Duration LONGEST_BACKOFF = Duration.ofSeconds(60);
    /** A refresh in progress may be detaching filesystems, and an index holder's close joins its builder (30 s). */
    private static final Duration STOP_BOUND = Duration.ofSeconds(40);

    private final LiveTopology topology;
    private final Path mountTable;
    private final Wakeup stop;
    private final Thread thread;
    private volatile boolean running = true;

    /** Opens the eventfd; the thread starts with {@link #start}. */
    public MountWatcher(LiveTopology topology, Path mountTable) throws IOException {
        this.topology = topology;
        this.mountTable = mountTable;
        this.stop = Wakeup.open();
        this.thread = new Thread(this::watch, "daxguard-mount-watch");
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    private void watch() {
        Duration backoff = FIRST_BACKOFF;
        while (running) {
            try (NativeFile table = NativeFile.openReadOnly(mountTable)) {
                // Opened first, then compared: a change between the agent's last look and this open is not lost.
                topology.refreshIfMountsChanged();
                backoff = FIRST_BACKOFF;
                while (running) {
                    short[] happened = Poll.await(List.of(new Poll.Request(table, Poll.POLLPRI),
                            new Poll.Request(stop.file(), Poll.POLLIN)), -1);
                    if ((happened[1] & Poll.POLLIN) != 0) {
                        return;
                    }
                    if ((happened[0] & (Poll.POLLPRI | Poll.POLLERR)) != 0) {
                        topology.refreshIfMountsChanged();
                        backoff = FIRST_BACKOFF;
                    }
                }
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "watching the mount table " + mountTable + " failed; starting"
                        + " over in " + backoff.toSeconds() + " s: " + e);
                if (stopRequestedWithin(backoff)) {
                    return;
                }
                backoff = backoff.multipliedBy(2).compareTo(LONGEST_BACKOFF) > 0 ? LONGEST_BACKOFF
                        : backoff.multipliedBy(2);
            }
        }
    }

    /** Waits out a backoff on the stop eventfd; true when close asked the thread to end meanwhile. */
    private boolean stopRequestedWithin(Duration backoff) {
        try {
            Poll.await(List.of(new Poll.Request(stop.file(), Poll.POLLIN)), (int) backoff.toMillis());
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "waiting on the mount watcher's stop eventfd failed: " + e);
        }
        return !running;
    }

    /** Ends the thread (woken at once; a refresh in progress is finished, bounded) and closes the eventfd. */
    @Override
    public void close() {
        running = false;
        try {
            stop.wake();
            thread.join(STOP_BOUND.toMillis());
            if (thread.isAlive()) {
                LOG.log(System.Logger.Level.WARNING, "the mount watcher did not stop within " + STOP_BOUND.toSeconds()
                        + " s; leaving it (a daemon thread)");
                return;
            }
            stop.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "closing the mount watcher: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
