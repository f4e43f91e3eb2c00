package io.daxguard.agent.topology;

import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.LinuxPath;
import io.daxguard.spi.Mount;
import io.daxguard.support.linux.MountInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Parses {@code /proc/self/mountinfo}:
 * {@code 36 35 7:3 / /mnt/data rw,noatime master:1 - xfs /dev/loop3 rw,attr2}.
 *
 * <p>The file is read as bytes, as the kernel writes it: a mount point is printed with its name's bytes (only
 * space, tab, newline and backslash escaped, as {@code \040} and so on), and need not be UTF-8. Octal escapes are
 * decoded to bytes; the mount point stays bytes ({@link LinuxPath}), the other text fields take the display form.
 * A line that cannot be parsed is logged and skipped: one odd mount must not hide every other from the agent.
 */
public final class MountTable {
    private static final System.Logger LOG = System.getLogger(MountTable.class.getName());

    private MountTable() {
    }

    public static List<Mount> read(Path mountinfo) throws IOException {
        return parse(Files.readAllBytes(mountinfo), mountinfo.toString());
    }

    /** The mounts of a mountinfo text; {@code source} names it in the log when a line is skipped. */
    static List<Mount> parse(byte[] text, String source) {
        List<Mount> mounts = new ArrayList<>();
        int lineNumber = 0;
        for (int start = 0; start < text.length; ) {
            int end = start;
            while (end < text.length && text[end] != '\n') {
                end++;
            }
            lineNumber++;
            byte[] line = Arrays.copyOfRange(text, start, end);
            start = end + 1;
            if (isBlank(line)) {
                continue;
            }
            try {
                mounts.add(parse(line));
            } catch (IllegalArgumentException e) {
                LOG.log(System.Logger.Level.WARNING, source + " line " + lineNumber + " skipped, the other mounts "
                        + "still count: " + e.getMessage());
            }
        }
        return mounts;
    }

    /**
     * One line.
     *
     * @throws IllegalArgumentException when it does not have mountinfo's shape
     */
    static Mount parse(byte[] line) {
        List<byte[]> fields = fields(line);
        int separator = -1;
        for (int i = 6; i < fields.size(); i++) {
            if (Arrays.equals(fields.get(i), new byte[] {'-'})) {
                separator = i;
                break;
            }
        }
        if (fields.size() < 10 || separator < 0 || separator + 3 > fields.size()) {
            throw new IllegalArgumentException("mountinfo line has an unexpected shape: \""
                    + LinuxPath.displayOf(line) + "\"");
        }
        String superOptions = separator + 3 < fields.size() ? text(fields.get(separator + 3)) : "";
        try {
            return new Mount(Integer.parseInt(text(fields.get(0))), DeviceNumber.parse(text(fields.get(2))),
                    LinuxPath.of(MountInfo.unescape(fields.get(3))).display(), LinuxPath.of(MountInfo.unescape(fields.get(4))),
                    text(fields.get(separator + 1)), LinuxPath.of(MountInfo.unescape(fields.get(separator + 2))).display(),
                    text(fields.get(5)) + "," + superOptions);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + " in mountinfo line \"" + LinuxPath.displayOf(line)
                    + "\"", e);
        }
    }

    private static List<byte[]> fields(byte[] line) {
        List<byte[]> fields = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= line.length; i++) {
            if (i == line.length || line[i] == ' ') {
                fields.add(Arrays.copyOfRange(line, start, i));
                start = i + 1;
            }
        }
        return fields;
    }

    private static boolean isBlank(byte[] line) {
        for (byte b : line) {
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    /** A field the kernel writes in ASCII (numbers, a type, options), in its display form to be safe. */
    private static String text(byte[] field) {
        return LinuxPath.displayOf(field);
    }
}
