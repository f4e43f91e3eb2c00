package io.daxguard.agent.paths;

import io.daxguard.spi.linux.FileStatus;
import io.daxguard.spi.linux.NativeCallException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Names of inodes in one mounted filesystem. The first question walks the whole tree once; later questions
 * are answered from that walk after checking each answer against the live filesystem (the path still leads
 * to that inode). When a check fails, or an inode is not in the walk, the tree is walked again, once per
 * batch of questions, not once per inode.
 *
 * <p>Thread safety: callers may ask from any thread; a walk holds a lock so only one runs at a time.
 */
public final class FilePaths {
    private final Path mountPoint;
    private final ReentrantLock walking = new ReentrantLock();
    private volatile PathIndex index;

    public FilePaths(Path mountPoint) {
        this.mountPoint = mountPoint;
    }

    /**
     * Paths relative to the mount point (each starting with {@code /}) of every inode asked; an inode with no
     * name (deleted, or unlinked but still open) maps to an empty list.
     */
    public Map<Long, List<String>> pathsOf(Collection<Long> inodes) throws IOException {
        Map<Long, List<String>> answer = lookUp(currentIndex(), inodes);
        if (answer == null) {
            answer = lookUp(rewalk(), inodes);
            if (answer == null) {
                // Two walks in a row disagree with the live tree: it is changing under us. Answer what the
                // newest walk says, with the stale names dropped by verification.
                answer = lookUpVerifiedOnly(index, inodes);
            }
        }
        return answer;
    }

    /**
     * Starts the first walk on {@code executor} if none was made yet, so it overlaps with the reverse-map
     * queries whose inodes it will name; a later {@link #pathsOf} waits for it instead of walking again.
     */
    public void walkAheadOn(Executor executor) {
        if (index == null) {
            executor.execute(() -> {
                try {
                    currentIndex();
                } catch (IOException e) {
                    // The question that needs the walk will walk again and report the error itself.
                }
            });
        }
    }

    /** Forgets the walk so the next question walks again (a rename or mount change was seen). */
    public void invalidate() {
        index = null;
    }

    /** Entries in the current walk, 0 before the first. */
    public int indexedEntries() {
        PathIndex current = index;
        return current == null ? 0 : current.size();
    }

    private PathIndex currentIndex() throws IOException {
        PathIndex current = index;
        return current != null ? current : rewalk();
    }

    private PathIndex rewalk() throws IOException {
        PathIndex before = index;
        walking.lock();
        try {
            if (index != before && index != null) {
                return index;
            }
            index = PathIndex.build(mountPoint);
            return index;
        } finally {
            walking.unlock();
        }
    }

    /** Null when an answer is stale or missing, so the caller walks again. */
    private Map<Long, List<String>> lookUp(PathIndex walk, Collection<Long> inodes) throws NativeCallException {
        Map<Long, List<String>> answer = new HashMap<>();
        for (long inode : inodes) {
            List<String> paths = walk.pathsOf(inode);
            if (paths.isEmpty() || !paths.stream().allMatch(path -> leadsTo(path, inode))) {
                return null;
            }
            answer.put(inode, paths);
        }
        return answer;
    }

    private Map<Long, List<String>> lookUpVerifiedOnly(PathIndex walk, Collection<Long> inodes) {
        Map<Long, List<String>> answer = new HashMap<>();
        for (long inode : inodes) {
            answer.put(inode, walk.pathsOf(inode).stream().filter(path -> leadsTo(path, inode)).toList());
        }
        return answer;
    }

    private boolean leadsTo(String relative, long inode) {
        try {
            return FileStatus.ofPathNoFollow(mountPoint.resolve(relative.substring(1))).inode() == inode;
        } catch (NativeCallException gone) {
            return false;
        }
    }
}
