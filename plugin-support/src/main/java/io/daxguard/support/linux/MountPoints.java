package io.daxguard.support.linux;

import io.daxguard.spi.LinuxPath;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

/**
 * The mount points below a directory, from {@code /proc/self/mountinfo}: what decides which part of a filesystem's
 * tree a walk that stops at mount points ({@link DirectoryWalk}) reaches, so a list of its names can tell whether a
 * change of the mount table touched it (most changes are elsewhere: other filesystems mounted and unmounted).
 */
public final class MountPoints {
    private static final Path MOUNT_TABLE = Path.of("/proc/self/mountinfo");
    /** The field of a mountinfo line holding the mount point (0-based), octal-escaped as {@code \040} for a space. */
    private static final int MOUNT_POINT_FIELD = 4;

    private MountPoints() {
    }

    /** The mount points strictly below {@code root}, as the mount table reads now. */
    public static Set<LinuxPath> beneath(LinuxPath root) throws IOException {
        return beneath(root, Files.readAllBytes(MOUNT_TABLE));
    }

    static Set<LinuxPath> beneath(LinuxPath root, byte[] mountTable) {
        Set<LinuxPath> found = new TreeSet<>();
        int lineStart = 0;
        for (int i = 0; i <= mountTable.length; i++) {
            if (i == mountTable.length || mountTable[i] == '\n') {
                LinuxPath mountPoint = mountPoint(mountTable, lineStart, i);
                if (mountPoint != null && !mountPoint.equals(root) && mountPoint.startsWith(root)) {
                    found.add(mountPoint);
                }
                lineStart = i + 1;
            }
        }
        return found;
    }

    /** The decoded mount point field of the line {@code [from, to)}; null for a line with too few fields. */
    private static LinuxPath mountPoint(byte[] table, int from, int to) {
        int field = 0;
        int at = from;
        while (at < to && field < MOUNT_POINT_FIELD) {
            if (table[at++] == ' ') {
                field++;
            }
        }
        if (field < MOUNT_POINT_FIELD || at >= to) {
            return null;
        }
        ByteArrayOutputStream decoded = new ByteArrayOutputStream();
        while (at < to && table[at] != ' ') {
            if (table[at] == '\\' && at + 3 < to && isOctal(table[at + 1]) && isOctal(table[at + 2])
                    && isOctal(table[at + 3])) {
                decoded.write((table[at + 1] - '0') * 64 + (table[at + 2] - '0') * 8 + (table[at + 3] - '0'));
                at += 4;
            } else {
                decoded.write(table[at++]);
            }
        }
        byte[] bytes = decoded.toByteArray();
        return bytes.length == 0 ? null : LinuxPath.of(bytes);
    }

    private static boolean isOctal(byte b) {
        return b >= '0' && b <= '7';
    }
}
