package io.daxguard.support.linux;

import io.daxguard.spi.LinuxPath;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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
    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

    private MountsOnThePath() {
    }

    /** The mounts of {@code /proc/self/mountinfo} on the way to, at or below {@code mountPoint}, in table order. */
    static List<String> of(LinuxPath mountPoint) throws IOException {
        return of(Files.readAllBytes(MOUNTINFO), mountPoint);
    }

    /** {@link #of(LinuxPath)} of a mountinfo text. A line without five fields is kept whole: it counts, unread. */
    static List<String> of(byte[] mountinfo, LinuxPath mountPoint) {
        List<String> onThePath = new ArrayList<>();
        for (int start = 0; start < mountinfo.length; ) {
            int end = start;
            while (end < mountinfo.length && mountinfo[end] != '\n') {
                end++;
            }
            byte[] line = Arrays.copyOfRange(mountinfo, start, end);
            start = end + 1;
            if (line.length == 0) {
                continue;
            }
            int[] fieldEnds = new int[5];
            int fields = 0;
            for (int i = 0; i < line.length && fields < 5; i++) {
                if (line[i] == ' ') {
                    fieldEnds[fields++] = i;
                }
            }
            if (fields < 4) {
                onThePath.add(new String(line, StandardCharsets.ISO_8859_1));
                continue;
            }
            int pointEnd = fields == 5 ? fieldEnds[4] : line.length;
            LinuxPath point = LinuxPath.of(unescape(Arrays.copyOfRange(line, fieldEnds[3] + 1, pointEnd)));
            if (mountPoint.startsWith(point) || point.startsWith(mountPoint)) {
                onThePath.add(new String(line, 0, pointEnd, StandardCharsets.ISO_8859_1));
            }
        }
        return onThePath;
    }

    /** mountinfo's octal escapes ({@code \040} for a space) back to bytes. */
    private static byte[] unescape(byte[] field) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(field.length);
        for (int i = 0; i < field.length; i++) {
            if (field[i] == '\\' && i + 3 < field.length && isOctal(field[i + 1]) && isOctal(field[i + 2])
                    && isOctal(field[i + 3])) {
                out.write(((field[i + 1] - '0') << 6) | ((field[i + 2] - '0') << 3) | (field[i + 3] - '0'));
                i += 3;
            } else {
                out.write(field[i]);
            }
        }
        return out.toByteArray();
    }

    private static boolean isOctal(byte b) {
        return b >= '0' && b <= '7';
    }
}
