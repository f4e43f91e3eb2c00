package io.daxguard.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A copy of {@code /proc/self/mountinfo} with one mount's line, for {@code Agent.Settings.withMountinfo}: a
 * benchmark's agent watches the benchmark's filesystem only. With every mount it would also attach the
 * machine's own filesystems, and with the ext4 plugin index the root filesystem in the background, which the
 * figures would then measure too.
 */
final class MountTableCopy {
    private MountTableCopy() {
    }

    /** Writes the copy to a new temporary file; the caller deletes it. */
    static Path withOnly(String mountPoint) throws IOException {
        List<String> lines = Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().filter(line -> {
            String[] fields = line.split(" ");
            return fields.length > 4 && fields[4].equals(mountPoint);
        }).toList();
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("nothing is mounted at " + mountPoint);
        }
        Path copy = Files.createTempFile("daxguard-bench-mountinfo", "");
        Files.write(copy, lines);
        return copy;
    }
}
