package io.daxguard.support.linux;

import io.daxguard.spi.LinuxPath;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The lines of {@code /proc/self/mountinfo}, read as bytes and parsed once for the index's questions about mounts
 * ({@link MountPoints}, {@link MountsOnThePath}, the index's mounts below a root): each line's mount id, its first five
 * fields as they stand (id, parent, {@code major:minor}, root, mount point: a mount removed and another made in its
 * place differs in them even when the kernel reuses the id) and its mount point decoded ({@code \040} for a space).
 */
public final class MountInfo {
    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");
    /** The fields up to and including the mount point. */
    private static final int FIELDS = 5;

    private MountInfo() {
    }

    /**
     * One line: {@code id} and {@code mountPoint} are -1 and null for a line with fewer than five fields (never written by
     * the kernel; kept so a caller can count it), whose {@code identity} is then the whole line.
     */
    public record Mount(int id, String identity, LinuxPath mountPoint) {
    }

    /** The mount table as it reads now. */
    public static List<Mount> read() throws IOException {
        return parse(Files.readAllBytes(MOUNTINFO));
    }

    /** The mounts of a mountinfo text, in table order; empty lines skipped. */
    public static List<Mount> parse(byte[] mountinfo) {
        List<Mount> mounts = new ArrayList<>();
        for (int start = 0; start < mountinfo.length; ) {
            int end = start;
            while (end < mountinfo.length && mountinfo[end] != '\n') {
                end++;
            }
            if (end > start) {
                mounts.add(line(mountinfo, start, end));
            }
            start = end + 1;
        }
        return mounts;
    }

    private static Mount line(byte[] table, int from, int to) {
        int[] spaces = new int[FIELDS];
        int found = 0;
        for (int i = from; i < to && found < FIELDS; i++) {
            if (table[i] == ' ') {
                spaces[found++] = i;
            }
        }
        if (found < FIELDS - 1 || spaces[FIELDS - 2] + 1 >= (found == FIELDS ? spaces[FIELDS - 1] : to)) {
            return new Mount(-1, new String(table, from, to - from, StandardCharsets.ISO_8859_1), null);
        }
        int pointEnd = found == FIELDS ? spaces[FIELDS - 1] : to;
        int id;
        try {
            id = Integer.parseInt(new String(table, from, spaces[0] - from, StandardCharsets.ISO_8859_1));
        } catch (NumberFormatException e) {
            id = -1;
        }
        return new Mount(id, new String(table, from, pointEnd - from, StandardCharsets.ISO_8859_1),
                LinuxPath.of(unescape(table, spaces[FIELDS - 2] + 1, pointEnd)));
    }

    /**
     * A mountinfo field's octal escapes ({@code \040} for a space, {@code \134} for a backslash...) back to the bytes
     * the kernel escaped: for a reader of other fields of the table (the agent's mount table, the btrfs plugin's
     * mount record, the hooks' cgroup mount).
     */
    public static byte[] unescape(byte[] field) {
        return unescape(field, 0, field.length);
    }

    /** mountinfo's octal escapes back to bytes. */
    private static byte[] unescape(byte[] table, int from, int to) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(to - from);
        for (int i = from; i < to; i++) {
            // A byte is at most \377: a first digit above 3 is not an escape the kernel writes.
            if (table[i] == '\\' && i + 3 < to && table[i + 1] >= '0' && table[i + 1] <= '3' && isOctal(table[i + 2])
                    && isOctal(table[i + 3])) {
                out.write(((table[i + 1] - '0') << 6) | ((table[i + 2] - '0') << 3) | (table[i + 3] - '0'));
                i += 3;
            } else {
                out.write(table[i]);
            }
        }
        return out.toByteArray();
    }

    private static boolean isOctal(byte b) {
        return b >= '0' && b <= '7';
    }
}
