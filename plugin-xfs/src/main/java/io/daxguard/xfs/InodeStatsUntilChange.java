package io.daxguard.xfs;

import io.daxguard.spi.LinuxPath;
import io.daxguard.support.linux.FileStatus;
import io.daxguard.support.linux.FilesystemChanges;
import io.daxguard.support.linux.NativeCallException;
import io.daxguard.support.linux.NativeFile;
import io.daxguard.xfs.XfsBulkstat.InodeStat;
import java.io.Closeable;
import java.io.IOException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The BULKSTAT answers (generation, mode) of the inodes a question named, remembered until any file of the
 * filesystem changes, so a question asked again, or about another block of a file already asked about, reads no
 * inode cluster: on cold caches each BULKSTAT is a random read, as many as the GETFSMAPs themselves.
 *
 * <p>Why until any change and not longer: an inode's generation changes only when it is freed and allocated again,
 * and both send fanotify events (an unlink or rename over it, or the writable close of an {@code O_TMPFILE} that was
 * never linked; a create, a link). The count is read with {@link FilesystemChanges#fileChangesOfAnyThreadSince}, every
 * thread's changes included (the agent's own saved files too). A stat is written only into the epoch whose count the
 * question read before its BULKSTAT, so a remembered stat is never older than the last change. Only the BULKSTATs are
 * remembered: GETFSMAP is asked on every question, since a dedupe moves blocks with no event at all.
 *
 * <p>Threads: any number of questions at once (a {@link ConcurrentHashMap} per epoch, the epoch a volatile field).
 * Without fanotify (no CAP_SYS_ADMIN, an old kernel, the user's groups used up) nothing is remembered, nor after the
 * mounts at or above the mount point changed (an unmount and mount again ends the fanotify mark with the old
 * filesystem instance; found by the adversarial review, {@code XfsRememberedStatsAcrossRemountAdversarialTest}).
 */
final class InodeStatsUntilChange implements Closeable {
    private static final int MAX_REMEMBERED = 65_536;
    private static final Epoch FORGETFUL = new Epoch(-1, null);

    private final FilesystemChanges changes;
    private final LinuxPath mountPoint;
    private final System.Logger logger;
    private final long mountChangesAtWatch;
    /** The mount's id when the watch began (from Linux 6.8 one no other mount gets); -1 if unknown. */
    private final long mountIdAtWatch;
    private volatile Epoch current = FORGETFUL;
    /** Set once the mounts on the way to or at the mount point changed: nothing is remembered from then on. */
    private volatile boolean stopped;

    private InodeStatsUntilChange(FilesystemChanges changes, LinuxPath mountPoint, System.Logger logger) {
        this.changes = changes;
        this.mountPoint = mountPoint;
        this.logger = logger;
        this.mountChangesAtWatch = changes == null ? 0 : changes.mountChangesSeen();
        long id;
        try {
            id = FileStatus.mountIdOf(mountPoint);
        } catch (NativeCallException e) {
            id = -1;
        }
        this.mountIdAtWatch = id;
    }

    /** Watches the filesystem mounted at {@code mountPoint}; without fanotify, remembers nothing and logs why. */
    static InodeStatsUntilChange watching(LinuxPath mountPoint, System.Logger logger) {
        try {
            return new InodeStatsUntilChange(FilesystemChanges.watch(mountPoint), mountPoint, logger);
        } catch (NativeCallException e) {
            logger.log(System.Logger.Level.INFO, "inodes of " + mountPoint + " are looked up (BULKSTAT) on every"
                    + " question: fanotify unavailable (" + e.getMessage() + ")");
            return new InodeStatsUntilChange(null, mountPoint, logger);
        }
    }

    /**
     * The remembered stats for a question starting now: one look at the filesystem's changes, and at the mount the
     * question opened ({@code filesystem}, its mount point).
     */
    Epoch look(NativeFile filesystem) {
        if (changes == null || stopped) {
            return FORGETFUL;
        }
        long count;
        try {
            count = changes.fileChangesOfAnyThreadSince();
            // A mount id reused by the next mount leaves mountinfo byte for byte the same (the unique id of Linux 6.8
            // does not); either change means this may be another instance of the filesystem.
            if (changes.mountChangesSeen() != mountChangesAtWatch || mountIdAtWatch < 0
                    || FileStatus.mountIdOf(filesystem) != mountIdAtWatch) {
                // Unmounted and mounted again (or another filesystem mounted here): the fanotify mark went with the old
                // mount's filesystem instance, so no change would ever be counted again. The agent attaches a new
                // holder, with a new watch, for the filesystem now mounted.
                stop();
                return FORGETFUL;
            }
        } catch (NativeCallException | IllegalStateException e) {
            return FORGETFUL;
        }
        Epoch epoch = current;
        if (epoch.count == count) {
            return epoch;
        }
        synchronized (this) {
            epoch = current;
            if (epoch.count == count) {
                return epoch;
            }
            if (count < epoch.count) {
                return FORGETFUL; // an older look than the newest epoch: it may neither use nor add a fact
            }
            current = new Epoch(count, new ConcurrentHashMap<>());
            return current;
        }
    }

    private synchronized void stop() {
        if (!stopped) {
            stopped = true;
            current = FORGETFUL;
            logger.log(System.Logger.Level.INFO, "inodes of " + mountPoint + " are looked up (BULKSTAT) on every"
                    + " question from now on: the mounts at or above it changed");
        }
    }

    @Override
    public void close() throws IOException {
        current = FORGETFUL;
        if (changes != null) {
            changes.close();
        }
    }

    /** The stats learned between two changes of the filesystem. */
    static final class Epoch {
        private final long count;
        private final ConcurrentHashMap<Long, InodeStat> stats;

        private Epoch(long count, ConcurrentHashMap<Long, InodeStat> stats) {
            this.count = count;
            this.stats = stats;
        }

        /** The stat remembered for {@code inode}, or null. */
        InodeStat get(long inode) {
            return stats == null ? null : stats.get(inode);
        }

        /** Remembers what BULKSTAT answered in this epoch's question, up to {@value #MAX_REMEMBERED} inodes. */
        void remember(InodeStat stat) {
            if (stats != null && stats.size() < MAX_REMEMBERED) {
                stats.put(stat.inode(), stat);
            }
        }
    }
}
