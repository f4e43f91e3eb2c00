package io.daxguard.agent.paths;

import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.Holder;
import io.daxguard.spi.LinuxPath;
import io.daxguard.spi.PathNames;
import io.daxguard.support.linux.FileStatus;
import io.daxguard.support.linux.NativeFile;
import io.daxguard.support.linux.OverlappedCalls;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Names of inodes in one mounted filesystem. The first question walks the whole tree once; later questions
 * are answered from that walk after checking each answer against the live filesystem (the path still leads
 * to that inode). When a check fails, or an inode is not in the walk, the tree is walked again, once per
 * batch of questions, not once per inode.
 *
 * <p>When the filesystem's holder keeps names itself ({@link Holder#pathNames()}: an index built by walking the
 * tree), they are asked first, and the agent walks only when the holder cannot vouch for every inode asked.
 *
 * <p>Names are bytes until they leave: walked, kept and checked ({@code statx}) as the kernel has them, and handed
 * out in their display form ({@link LinuxPath#display()}), which is what the ledger and JMX keep.
 *
 * <p>A filesystem whose holder keeps no names is walked before any question, in the background, and again after it
 * changes ({@link BackgroundNames}); the walk here remains the fallback, so an answer is never older than its check.
 *
 * <p>When the filesystem's changes are counted ({@link #vouchWith}: fanotify, by {@link BackgroundNames}) and nothing
 * changed since the current walk began, the walk itself is the check: it read every name from the live directories
 * after the last change, so its names are answered without a {@code statx} each (on cold caches those lookups were
 * most of a batch's time). After any change, or without a count, every name is checked as above.
 *
 * <p>Thread safety: callers may ask from any thread; a walk holds a lock so only one runs at a time. Questions
 * answered from the current walk do not wait for a walk in progress.
 */
public final class FilePaths {
    private static final System.Logger LOG = System.getLogger(FilePaths.class.getName());
    private final LinuxPath mountPoint;
    private final Optional<PathNames> holderNames;
    private final ReentrantLock walking = new ReentrantLock();
    private volatile PathIndex index;
    /** What {@link #index} can vouch for: the change count read before its walk began; set with it, under the lock. */
    private volatile Walked walked = Walked.UNVOUCHED;
    private volatile ChangeCount changes;
    private final java.util.concurrent.atomic.AtomicLong walks = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong namesChecked = new java.util.concurrent.atomic.AtomicLong();

    public FilePaths(LinuxPath mountPoint) {
        this(mountPoint, Optional.empty());
    }

    public FilePaths(LinuxPath mountPoint, Optional<PathNames> holderNames) {
        this.mountPoint = mountPoint;
        this.holderNames = Objects.requireNonNull(holderNames, "holderNames is null");
    }

    /**
     * Paths relative to the mount point (each starting with {@code /}, in display form) of every inode asked; an
     * inode with no name (deleted, or unlinked but still open) maps to an empty list.
     *
     * <p>An answer from the current walk is used when every name still leads to its inode and the inode has no
     * more links than names. Otherwise, or when an inode is missing from the walk, the tree is walked again,
     * once for the whole batch (unless a walk started since the question); what that walk cannot name has no
     * name. Inode numbers are reused, so "no name" is never remembered from one question to the next.
     */
    public Map<Long, List<String>> pathsOf(Collection<Long> inodes) throws IOException {
        return displayed(names(inodes, null));
    }

    /**
     * {@link #pathsOf(Collection)} with the {@code statx} checks of the current walk's names made a few at a time on
     * {@code overlapped}, so their directory and inode reads overlap on cold caches; every name is still checked
     * during this question, and the answer is the same.
     */
    public Map<Long, List<String>> pathsOf(Collection<Long> inodes, OverlappedCalls overlapped) throws IOException {
        return displayed(names(inodes, Objects.requireNonNull(overlapped, "overlapped is null")));
    }

    /**
     * The paths of inodes of one subvolume ({@code FileOwner.subvolume}): {@link #pathsOf(Collection, OverlappedCalls)}
     * for subvolume 0 (one inode-number space); for another, the holder's own answer
     * ({@code PathNames.pathsOf(subvolume, ...)}), since the agent's walk keys names by inode number alone and two
     * snapshots hold the same numbers. No names when the holder cannot tell.
     */
    public Map<Long, List<String>> pathsOf(long subvolume, Collection<Long> inodes, OverlappedCalls overlapped)
            throws IOException {
        if (subvolume == io.daxguard.spi.FileOwner.ONE_INODE_SPACE) {
            return overlapped == null ? pathsOf(inodes) : pathsOf(inodes, overlapped);
        }
        if (holderNames.isPresent()) {
            Optional<Map<Long, List<LinuxPath>>> known = holderNames.get().pathsOf(subvolume, inodes);
            if (known.isPresent()) {
                return displayed(known.get());
            }
        }
        LOG.log(System.Logger.Level.WARNING, "the holder of " + mountPoint + " cannot name inodes of subvolume "
                + subvolume + "; " + inodes.size() + " file(s) go without names");
        return Map.of();
    }

    /** {@link #pathsOf(long, Collection, OverlappedCalls)} with the name checks made on the caller's thread. */
    public Map<Long, List<String>> pathsOf(long subvolume, Collection<Long> inodes) throws IOException {
        return pathsOf(subvolume, inodes, null);
    }

    private Map<Long, List<LinuxPath>> names(Collection<Long> inodes, OverlappedCalls overlapped)
            throws IOException {
        long asked = System.nanoTime();
        if (holderNames.isPresent()) {
            try {
                Optional<Map<Long, List<LinuxPath>>> known = holderNames.get().pathsOf(inodes);
                if (known.isPresent()) {
                    return known.get();
                }
            } catch (IOException | RuntimeException e) {
                // The holder's names are a shortcut: without them the agent's own walk still names the files.
                LOG.log(System.Logger.Level.WARNING, "the holder of " + mountPoint + " could not name "
                        + inodes.size() + " inode(s) (" + e + "); walking the tree instead");
            }
        }
        Map<Long, List<LinuxPath>> vouched = vouchedByTheWalk(inodes);
        if (vouched != null) {
            return vouched;
        }
        // One descriptor of the root for every name this question checks (each is reached beneath it).
        try (NativeFile root = NativeFile.openDirectory(mountPoint)) {
            DeviceNumber device = root.status().device();
            Map<Long, List<LinuxPath>> answer = overlapped == null ? lookUp(currentIndex(), root, device, inodes)
                    : lookUpOverlapped(currentIndex(), root, device, inodes, overlapped);
            if (answer != null) {
                return answer;
            }
            PathIndex fresh = walkStartedAfter(asked);
            Map<Long, List<LinuxPath>> verified = new HashMap<>();
            for (long inode : inodes) {
                verified.put(inode, fresh.pathsOf(inode).stream()
                        .filter(path -> status(root, path, device, inode).isPresent()).toList());
            }
            return verified;
        }
    }

    private static Map<Long, List<String>> displayed(Map<Long, List<LinuxPath>> names) {
        Map<Long, List<String>> shown = new HashMap<>();
        names.forEach((inode, paths) -> shown.put(inode, paths.stream().map(LinuxPath::display).toList()));
        return shown;
    }

    /**
     * Starts the first walk on {@code executor} if none was made yet, so it overlaps with the reverse-map
     * queries whose inodes it will name; a later {@link #pathsOf} waits for it instead of walking again.
     */
    public void walkAheadOn(Executor executor) {
        if (index == null && holderNames.isEmpty()) {
            executor.execute(() -> {
                try {
                    currentIndex();
                } catch (IOException e) {
                    // The question that needs the walk will walk again and report the error itself.
                }
            });
        }
    }

    /**
     * Walks the tree now, on the caller's thread, and keeps the walk for the questions to come: how
     * {@link BackgroundNames} gathers names before a failure asks. Waits while another walk runs.
     */
    public void walkAhead() throws IOException {
        rewalk();
    }

    /** The mount point whose tree is walked. */
    public LinuxPath mountPoint() {
        return mountPoint;
    }

    /** Entries in the current walk, 0 before the first. */
    public int indexedEntries() {
        PathIndex current = index;
        return current == null ? 0 : current.size();
    }

    /** The current walk; before the first, the one in progress (a background walk) or a new one. */
    private PathIndex currentIndex() throws IOException {
        PathIndex current = index;
        if (current != null) {
            return current;
        }
        walking.lock();
        try {
            return index != null ? index : walkStartedAfter(System.nanoTime());
        } finally {
            walking.unlock();
        }
    }

    private PathIndex rewalk() throws IOException {
        return walkStartedAfter(System.nanoTime());
    }

    /** The current walk if it started after {@code moment}; otherwise a new one. One walk runs at a time. */
    private PathIndex walkStartedAfter(long moment) throws IOException {
        walking.lock();
        try {
            PathIndex current = index;
            if (current != null && current.startedAt() - moment >= 0) {
                return current;
            }
            // Read before the walk: a change while it runs moves the count, and the walk vouches for nothing.
            long before = changeCount();
            index = PathIndex.build(mountPoint);
            walked = new Walked(index, before);
            synchronized (walks) {
                walks.incrementAndGet();
                walks.notifyAll();
            }
            return index;
        } finally {
            walking.unlock();
        }
    }

    /** Counts the changes of a filesystem: equal answers mean no name changed between them. */
    @FunctionalInterface
    public interface ChangeCount {
        long read() throws IOException;
    }

    /**
     * From now on a walk that began after the last change {@code changes} counted answers without {@code statx}
     * checks (see the class comment); {@code null} stops it (the count's watch was closed).
     */
    public void vouchWith(ChangeCount changes) {
        this.changes = changes;
    }

    /** A walk and the change count read before it began ({@link #UNKNOWN} when none could be read). */
    private record Walked(PathIndex index, long changesBefore) {
        static final long UNKNOWN = Long.MIN_VALUE;
        static final Walked UNVOUCHED = new Walked(null, UNKNOWN);
    }

    private long changeCount() {
        ChangeCount count = changes;
        if (count == null) {
            return Walked.UNKNOWN;
        }
        try {
            return count.read();
        } catch (IOException | RuntimeException e) {
            // No count, no vouching: every name is checked with statx.
            return Walked.UNKNOWN;
        }
    }

    /**
     * The current walk's names of every inode when nothing changed since that walk began; null when it cannot vouch
     * (a change, no count, or an inode the walk did not meet: that one may be new or nameless, which the checked
     * path decides).
     */
    private Map<Long, List<LinuxPath>> vouchedByTheWalk(Collection<Long> inodes) {
        Walked current = walked;
        if (current.index() == null || current.changesBefore() == Walked.UNKNOWN
                || current.index() != index || changeCount() != current.changesBefore()) {
            return null;
        }
        Map<Long, List<LinuxPath>> answer = new HashMap<>();
        for (long inode : inodes) {
            List<LinuxPath> paths = current.index().pathsOf(inode);
            if (paths.isEmpty()) {
                return null;
            }
            answer.put(inode, paths);
        }
        return answer;
    }

    /** How many times the tree was walked. */
    public long walks() {
        return walks.get();
    }

    /** Waits until the tree was walked at least {@code count} times, at most {@code timeout}; whether it was. */
    public boolean awaitWalks(long count, java.time.Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (walks) {
            while (walks.get() < count) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(walks, left);
            }
            return true;
        }
    }

    /** Null when the walk cannot answer for sure, so the caller walks again. */
    private Map<Long, List<LinuxPath>> lookUp(PathIndex walk, NativeFile root, DeviceNumber device,
                                              Collection<Long> inodes) {
        Map<Long, List<LinuxPath>> answer = new HashMap<>();
        for (long inode : inodes) {
            List<LinuxPath> paths = walk.pathsOf(inode);
            if (paths.isEmpty()) {
                return null;
            }
            for (LinuxPath path : paths) {
                // More links than names: a hard link was made after the walk, and it has a name we lack.
                if (!status(root, path, device, inode).map(status -> status.hasNoMoreLinksThan(paths.size()))
                        .orElse(false)) {
                    return null;
                }
            }
            answer.put(inode, paths);
        }
        return answer;
    }

    /** One name of the walk to check: it must still lead to {@code inode}, which has {@code names} names. */
    private record NameCheck(long inode, LinuxPath path, int names) {
    }

    /** {@link #lookUp} with the checks made on {@code overlapped}; null when the walk cannot answer for sure. */
    private Map<Long, List<LinuxPath>> lookUpOverlapped(PathIndex walk, NativeFile root, DeviceNumber device,
                                                        Collection<Long> inodes, OverlappedCalls overlapped)
            throws IOException {
        Map<Long, List<LinuxPath>> answer = new HashMap<>();
        List<NameCheck> checks = new ArrayList<>();
        for (long inode : inodes) {
            List<LinuxPath> paths = walk.pathsOf(inode);
            if (paths.isEmpty()) {
                return null;
            }
            for (LinuxPath path : paths) {
                checks.add(new NameCheck(inode, path, paths.size()));
            }
            answer.put(inode, paths);
        }
        List<Boolean> held = overlapped.each(checks, check -> status(root, check.path(), device, check.inode())
                .map(status -> status.hasNoMoreLinksThan(check.names())).orElse(false));
        return held.contains(Boolean.FALSE) ? null : answer;
    }

    /** How many names were checked with {@code statx} (a name the walk vouched for is not). */
    public long namesChecked() {
        return namesChecked.get();
    }

    /**
     * The status of {@code relative} if it still leads to {@code inode} on {@code device}, reached beneath
     * {@code root} (the mount point, opened once per question) with no symbolic link followed
     * ({@link FileStatus#ofPathBeneath}): a directory renamed and replaced by a link to its new name must not confirm
     * the old name.
     */
    private Optional<FileStatus> status(NativeFile root, LinuxPath relative, DeviceNumber device, long inode) {
        namesChecked.incrementAndGet();
        try {
            FileStatus status = FileStatus.ofPathBeneath(root, relative);
            return status.inode() == inode && status.device().equals(device) ? Optional.of(status) : Optional.empty();
        } catch (IOException gone) {
            return Optional.empty();
        }
    }
}
