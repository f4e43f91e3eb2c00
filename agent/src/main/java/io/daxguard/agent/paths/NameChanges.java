package io.daxguard.agent.paths;

import io.daxguard.agent.topology.MountTable;
import io.daxguard.spi.LinuxPath;
import io.daxguard.spi.Mount;
import io.daxguard.support.linux.FilesystemChanges;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Counts what changes the names under one mount point, for {@link FilePaths#vouchWith}: equal answers mean no name
 * changed between them. A change is any of the filesystem's own (fanotify: files and names made, removed, moved,
 * written; every thread's, the {@link FilesystemChanges#quietCurrentThread quiet} index threads' included), or a
 * change of the mounts at or below the mount point (a filesystem mounted over one of its directories changes where a
 * name leads). Mounts elsewhere are not changes: on a host that mounts and unmounts other filesystems all day the
 * walk still vouches for its names; the mount table is read again only after it changed.
 *
 * <p>Thread safety: {@link #read} is synchronized; any thread may ask.
 */
final class NameChanges implements FilePaths.ChangeCount {
    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

    private final FilesystemChanges changes;
    private final LinuxPath mountPoint;
    private long fileChangesRead = -1;
    private long mountChangesRead = -1;
    private Set<Integer> mountsAtOrBelow = Set.of();
    private long count;

    NameChanges(FilesystemChanges changes, LinuxPath mountPoint) {
        this.changes = Objects.requireNonNull(changes, "changes is null");
        this.mountPoint = Objects.requireNonNull(mountPoint, "mountPoint is null");
    }

    @Override
    public synchronized long read() throws IOException {
        long files = changes.fileChangesOfAnyThreadSince();
        if (files != fileChangesRead) {
            fileChangesRead = files;
            count++;
        }
        long mounts = changes.mountChangesSeen();
        if (mounts != mountChangesRead) {
            mountChangesRead = mounts;
            Set<Integer> now = mountsAtOrBelow();
            if (!now.equals(mountsAtOrBelow)) {
                mountsAtOrBelow = now;
                count++;
            }
        }
        return count;
    }

    /** The ids of the mounts on the mount point (this filesystem's, and any stacked over it) and below it. */
    private Set<Integer> mountsAtOrBelow() throws IOException {
        Set<Integer> ids = new TreeSet<>();
        for (Mount mount : MountTable.read(MOUNTINFO)) {
            if (mount.mountPoint().startsWith(mountPoint)) {
                ids.add(mount.mountId());
            }
        }
        return ids;
    }
}
