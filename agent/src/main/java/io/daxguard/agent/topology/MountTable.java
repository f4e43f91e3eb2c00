package io.daxguard.agent.topology;

import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.Mount;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses {@code /proc/self/mountinfo}:
 * {@code 36 35 7:3 / /mnt/data rw,noatime master:1 - xfs /dev/loop3 rw,attr2}; octal escapes
 * ({@code \040} for a space) are decoded in paths.
 */
public final class MountTable {
    private MountTable() {
    }

    public static List<Mount> read(Path mountinfo) throws IOException {
        List<Mount> mounts = new ArrayList<>();
        for (String line : Files.readAllLines(mountinfo)) {
            if (!line.isBlank()) {
                mounts.add(parse(line));
            }
        }
        return mounts;
    }

    static Mount parse(String line) {
        String[] fields = line.split(" ");
        int separator = -1;
        for (int i = 6; i < fields.length; i++) {
            if (fields[i].equals("-")) {
                separator = i;
                break;
            }
        }
        if (fields.length < 10 || separator < 0 || separator + 3 > fields.length) {
            throw new IllegalArgumentException("mountinfo line has an unexpected shape: \"" + line + "\"");
        }
        String superOptions = separator + 3 < fields.length ? fields[separator + 3] : "";
        return new Mount(Integer.parseInt(fields[0]), DeviceNumber.parse(fields[2]), unescape(fields[3]),
                Path.of(unescape(fields[4])), fields[separator + 1], unescape(fields[separator + 2]),
                fields[5] + "," + superOptions);
    }

    static String unescape(String field) {
        if (field.indexOf('\\') < 0) {
            return field;
        }
        StringBuilder text = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && isOctal(field, i + 1)) {
                text.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                text.append(c);
            }
        }
        return text.toString();
    }

    private static boolean isOctal(String field, int from) {
        if (from + 3 > field.length()) {
            return false;
        }
        for (int i = from; i < from + 3; i++) {
            if (field.charAt(i) < '0' || field.charAt(i) > '7') {
                return false;
            }
        }
        return true;
    }
}
