package io.daxguard.support.linux;

import io.daxguard.spi.LinuxPath;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The mounts that decide where the names under one mount point lead: those mounted on the way to it ({@code /},
 * {@code /mnt}), on it (the filesystem's own, and any stacked over it) and below it (over one of its directories).
 * A mount anywhere else changes no name under the mount point, so {@link FilesystemChanges} counts a change of the
 * mount table only when this list changed; on a host that mounts and unmounts other filesystems all day (containers,
 * backups, test runs) a cache of the filesystem's facts then lasts.
 *
 * <p>Each mount is kept as its mountinfo line's first fields (id, parent, {@code major:minor}, root, mount point), so
 * a mount removed and another made in its place is a change even if the kernel gives it the same id. The lines are
 * kept as their bytes (ISO-8859-1 maps each byte to one char): compared, never shown.
 */
final class MountsOnThePath {
    private MountsOnThePath() {
    }

    /** The mounts of {@code /proc/self/mountinfo} on the way to, at or below {@code mountPoint}, in table order. */
    static List<String> of(LinuxPath mountPoint) throws IOException {
        return of(MountInfo.read(), mountPoint);
    }

    /** {@link #of(LinuxPath)} of a mountinfo text. A line without five fields is kept whole: it counts, unread. */
    static List<String> of(byte[] mountinfo, LinuxPath mountPoint) {
        return of(MountInfo.parse(mountinfo), mountPoint);
    }

    private static List<String> of(List<MountInfo.Mount> mounts, LinuxPath mountPoint) {
        List<String> onThePath = new ArrayList<>();
        for (MountInfo.Mount mount : mounts) {
            LinuxPath point = mount.mountPoint();
            if (point == null || mountPoint.startsWith(point) || point.startsWith(mountPoint)) {
                onThePath.add(mount.identity());
            }
        }
        return onThePath;
    }
}
