package io.daxguard.support.index;

import io.daxguard.support.linux.FilesystemChanges;
import io.daxguard.support.linux.NativeCallException;
import java.io.Closeable;
import java.io.IOException;
import io.daxguard.spi.LinuxPath;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What the live filesystem has confirmed since it last changed, so that a question asked again is answered
 * without asking the filesystem again. A fact is remembered in an {@link Epoch}: one index and one count of
 * the filesystem's changes ({@link FilesystemChanges}). The first question after any change (a write, truncate,
 * fallocate, clone, rename, link or unlink anywhere in the filesystem) starts a new, empty epoch: every fact is
 * confirmed live again, exactly as without this class.
 *
 * <p>Why whole-filesystem rather than per-file invalidation: a change to one file can change the answer for
 * another (a reflink makes the source's blocks shared; a rename changes every path below it), and the events
 * carry handles, not paths. On a quiet filesystem (the usual state when an operator investigates damage) the
 * epoch lasts; on a busy one the cost is what it was without a cache.
 *
 * <p>Correctness: a fact is written only into the epoch whose count the writer's own question read, after that
 * read; the kernel queues a change's event when the change completes, so any change that completed before the
 * fact was read from the filesystem is either in that count (the fact reflects it) or will be read by the next
 * question (which then starts a new epoch). Two questions that read the same count see no change between them.
 *
 * <p>Threads: any number of questions at once; an epoch's facts are lock-free ({@link AtomicLongArray},
 * {@link ConcurrentHashMap}). When fanotify is not available (no CAP_SYS_ADMIN, an old kernel) nothing is
 * remembered and every answer is confirmed live.
 */
final class ConfirmedFacts implements Closeable {
    private final FilesystemChanges changes;
    private final String unavailable;
    private final LinuxPath root;
    private final System.Logger logger;
    /** False: changes are still counted (an index built after the last change is current) but no fact is kept. */
    private final boolean remember;
    private volatile Epoch current;
    private volatile boolean lookFailed;

    private ConfirmedFacts(FilesystemChanges changes, String unavailable, LinuxPath root, System.Logger logger,
                           boolean remember) {
        this.changes = changes;
        this.unavailable = unavailable;
        this.root = root;
        this.logger = logger;
        this.remember = remember;
    }

    /**
     * Watches the filesystem mounted at {@code root}; without fanotify, remembers nothing and logs why.
     *
     * @param remember whether confirmed facts are kept ({@link IndexOptions#rememberConfirmations}); the changes are
     *                 counted either way
     */
    static ConfirmedFacts watching(LinuxPath root, System.Logger logger, boolean remember) {
        String notRemembered = remember ? "" : "the plugin asked for it (IndexOptions.rememberConfirmations)";
        try {
            return new ConfirmedFacts(FilesystemChanges.watch(root), notRemembered, root, logger, remember);
        } catch (NativeCallException e) {
            String reason = "fanotify unavailable (" + e.getMessage() + ")";
            logger.log(System.Logger.Level.INFO, "owners in " + root + " are confirmed live on every question: "
                    + reason);
            return new ConfirmedFacts(null, reason, root, logger, false);
        }
    }

    /** Why nothing is remembered, or empty when facts are. */
    String unavailable() {
        return unavailable;
    }

    /**
     * Reads the filesystem's change queue once; a question keeps the answer for all its parts. A queue that cannot
     * be read (closed, an error) gives -1, an epoch that remembers nothing: the question is confirmed live.
     */
    long look() {
        if (changes == null) {
            return -1;
        }
        try {
            return changes.changesSince();
        } catch (NativeCallException | IllegalStateException e) {
            if (!lookFailed) {
                lookFailed = true;
                logger.log(System.Logger.Level.WARNING, "cannot read the changes of " + root + " (" + e.getMessage()
                        + "); owners are confirmed live on every question");
            }
            return -1;
        }
    }

    /**
     * Reads the change queue, as {@link #look}, and takes the files changed since the last call
     * ({@link FilesystemChanges#takeChangedFiles}), for the index thread before a build or refresh; null when changes
     * cannot be counted.
     */
    FilesystemChanges.ChangedFiles takeChangedFiles() {
        if (changes == null || lookFailed) {
            return null;
        }
        try {
            return changes.takeChangedFiles();
        } catch (NativeCallException | IllegalStateException e) {
            look(); // logs why, once, and marks the look failed
            return null;
        }
    }

    /** {@link FilesystemChanges#changedFilesPending}; -1 when changes cannot be counted. */
    int changedFilesPending() {
        return changes == null || lookFailed ? -1 : changes.changedFilesPending();
    }

    /**
     * The filesystem's own changes (no mount-table changes) counted up to the last {@link #look}, which the caller
     * made just before; -1 when changes cannot be counted. A look by another thread in between can only make it
     * larger, which makes an index look older than it is, never newer.
     */
    long fileChanges() {
        return changes == null || lookFailed ? -1 : changes.fileChangesSeen();
    }

    /** The mount-table changes counted up to the last {@link #look}; -1 when changes are not counted. */
    long mountChanges() {
        return changes == null || lookFailed ? -1 : changes.mountChangesSeen();
    }

    /**
     * The facts about {@code index} that hold for a question whose {@link #look} read {@code changeCount}. A
     * question older than the newest epoch (it read a smaller count) gets an epoch that remembers nothing, so it
     * can neither use a fact from after its look nor write one from before into a newer epoch.
     */
    Epoch epoch(ExtentIndex index, long changeCount) {
        if (changeCount < 0 || !remember) {
            return Epoch.forgetful();
        }
        Epoch epoch = current;
        if (epoch != null && epoch.index == index && epoch.changeCount == changeCount) {
            return epoch;
        }
        synchronized (this) {
            epoch = current;
            if (epoch != null && epoch.index == index && epoch.changeCount == changeCount) {
                return epoch;
            }
            if (epoch != null && changeCount < epoch.changeCount) {
                return Epoch.forgetful();
            }
            Epoch fresh = new Epoch(index, changeCount, index.extentCount());
            current = fresh;
            return fresh;
        }
    }

    /** A byte range, as the key of a remembered answer. */
    private record Range(long from, long to) {
    }

    @Override
    public void close() throws IOException {
        current = null;
        if (changes != null) {
            changes.close();
        }
    }

    /** The facts of one index between two changes of the filesystem. */
    static final class Epoch {
        private static final Epoch FORGETFUL = new Epoch(null, -1, 0);
        private static final int MAX_ANSWERS = 65_536;

        private final ExtentIndex index;
        private final long changeCount;
        /** Bit {@code i}: extent {@code i} is mapped by its file exactly as indexed (whole, same flags). */
        private final AtomicLongArray confirmedExtents;
        /** Inode to every name, each checked to lead to it. */
        private final ConcurrentHashMap<Long, List<LinuxPath>> paths;
        /** Whole answers made only of remembered extents: a range asked again is one lookup. */
        private final ConcurrentHashMap<Range, List<io.daxguard.spi.FileOwner>> answers;

        private Epoch(ExtentIndex index, long changeCount, int extents) {
            this.index = index;
            this.changeCount = changeCount;
            this.confirmedExtents = index == null ? null : new AtomicLongArray((extents + 63) >>> 6);
            this.paths = index == null ? null : new ConcurrentHashMap<>();
            this.answers = index == null ? null : new ConcurrentHashMap<>();
        }

        static Epoch forgetful() {
            return FORGETFUL;
        }

        boolean remembers() {
            return index != null;
        }

        boolean isConfirmed(int extent) {
            return index != null && (confirmedExtents.get(extent >>> 6) & (1L << extent)) != 0;
        }

        void confirmed(int extent) {
            if (index == null) {
                return;
            }
            long bit = 1L << extent;
            int word = extent >>> 6;
            long before;
            do {
                before = confirmedExtents.get(word);
            } while ((before & bit) == 0 && !confirmedExtents.compareAndSet(word, before, before | bit));
        }

        /** The names remembered for an inode, or null. */
        List<LinuxPath> paths(long inode) {
            return index == null ? null : paths.get(inode);
        }

        /** The remembered answer for exactly {@code [from, to)}, or null. */
        List<io.daxguard.spi.FileOwner> answer(long from, long to) {
            return index == null ? null : answers.get(new Range(from, to));
        }

        /**
         * Remembers an answer made only of extents confirmed in this epoch (so it holds exactly as long as they
         * do), up to {@value #MAX_ANSWERS} answers per epoch.
         */
        void rememberAnswer(long from, long to, List<io.daxguard.spi.FileOwner> owners) {
            if (index != null && answers.size() < MAX_ANSWERS) {
                answers.put(new Range(from, to), List.copyOf(owners));
            }
        }

        void rememberPaths(long inode, List<LinuxPath> names) {
            if (index != null) {
                paths.put(inode, List.copyOf(Objects.requireNonNull(names, "names is null")));
            }
        }
    }
}
