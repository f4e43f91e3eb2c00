package io.daxguard.support.index;

import io.daxguard.spi.LinuxPath;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

/**
 * The ids of the mounts at or below a mount point ({@code /proc/self/mountinfo}): the filesystem's own, any stacked
 * over it, and any on one of its directories. Where a name beneath the mount point leads depends on them alone, so
 * equal sets before a walk and at a question mean the walk's names still lead where they did (the filesystem's own
 * changes are counted apart, by fanotify). Mounts elsewhere on the host do not matter.
 */
final class MountsBelow {
    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

    private MountsBelow() {
    }

    /** The ids of the mounts whose mount point is {@code root} or beneath it. */
    static Set<Integer> of(LinuxPath root) throws IOException {
        Set<Integer> ids = new TreeSet<>();
        for (String line : Files.readAllLines(MOUNTINFO, java.nio.charset.StandardCharsets.ISO_8859_1)) {
            String[] fields = line.split(" ", 6);
            if (fields.length < 5) {
                continue;
            }
            if (LinuxPath.of(unescaped(fields[4])).startsWith(root)) {
                ids.add(Integer.parseInt(fields[0]));
            }
        }
        return ids;
    }

    /** The bytes of a mountinfo path: the kernel writes space, tab, newline and backslash as {@code \ooo}. */
    private static byte[] unescaped(String field) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && isOctal(field, i + 1)) {
                bytes.write(Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                bytes.write(c);
            }
        }
        return bytes.toByteArray();
    }

    private static boolean isOctal(String field, int from) {
        for (int i = from; i < from + 3; i++) {
            if (i >= field.length() || field.charAt(i) < '0' || field.charAt(i) > '7') {
                return false;
            }
        }
        return true;
    }
}
