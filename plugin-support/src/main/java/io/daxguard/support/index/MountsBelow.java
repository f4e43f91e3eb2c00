package io.daxguard.support.index;

import io.daxguard.spi.LinuxPath;
import io.daxguard.support.linux.MountInfo;
import java.io.IOException;
import java.util.Set;
import java.util.TreeSet;

/**
 * The ids of the mounts at or below a mount point ({@code /proc/self/mountinfo}): the filesystem's own, any stacked
 * over it, and any on one of its directories. Where a name beneath the mount point leads depends on them alone, so
 * equal sets before a walk and at a question mean the walk's names still lead where they did (the filesystem's own
 * changes are counted apart, by fanotify). Mounts elsewhere on the host do not matter.
 */
final class MountsBelow {
    private MountsBelow() {
    }

    /** The ids of the mounts whose mount point is {@code root} or beneath it. */
    static Set<Integer> of(LinuxPath root) throws IOException {
        Set<Integer> ids = new TreeSet<>();
        for (MountInfo.Mount mount : MountInfo.read()) {
            if (mount.mountPoint() != null && mount.mountPoint().startsWith(root)) {
                ids.add(mount.id());
            }
        }
        return ids;
    }
}
