package io.daxguard.support.linux;

import io.daxguard.spi.LinuxPath;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The mount points below a directory, from {@code /proc/self/mountinfo}: what decides which part of a filesystem's
 * tree a walk that stops at mount points ({@link DirectoryWalk}) reaches, so a list of its names can tell whether a
 * change of the mount table touched it (most changes are elsewhere: other filesystems mounted and unmounted).
 */
public final class MountPoints {
    private MountPoints() {
    }

    /** The mount points strictly below {@code root}, as the mount table reads now. */
    public static Set<LinuxPath> beneath(LinuxPath root) throws IOException {
        return beneath(root, MountInfo.read());
    }

    static Set<LinuxPath> beneath(LinuxPath root, byte[] mountTable) {
        return beneath(root, MountInfo.parse(mountTable));
    }

    private static Set<LinuxPath> beneath(LinuxPath root, List<MountInfo.Mount> mounts) {
        Set<LinuxPath> found = new TreeSet<>();
        for (MountInfo.Mount mount : mounts) {
            LinuxPath point = mount.mountPoint();
            if (point != null && !point.equals(root) && point.startsWith(root)) {
                found.add(point);
            }
        }
        return found;
    }
}
