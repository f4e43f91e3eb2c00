package io.daxguard.support.linux;

import io.daxguard.spi.DeviceNumber;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * The inodes of one filesystem that some process maps shared and writable now, read from every
 * {@code /proc/<pid>/maps}. Why: a store through such a mapping changes the file (fills a hole, allocates a delayed
 * block) without any fanotify event, until the last reference to the file (the mapping) goes, so a reader that
 * relies on events must look at these files itself.
 *
 * <pre>
 * /proc/&lt;pid&gt;/maps line: address perms offset dev inode pathname
 *   7f..-7f.. rw-s 00000000 07:03 12 /mnt/x/sparse     perms[1] 'w', perms[3] 's'; dev "major:minor" in hex
 * </pre>
 */
public final class SharedWritableMappings {
    private static final Path PROC = Path.of("/proc");

    private SharedWritableMappings() {
    }

    /**
     * The inodes of {@code device} mapped shared and writable by any process now; a process that ends or hides its
     * maps while read is skipped (its mappings, if any, are its own to lose).
     *
     * @throws IOException when {@code /proc} cannot be listed
     */
    public static Set<Long> on(DeviceNumber device) throws IOException {
        String wanted = String.format("%02x:%02x", device.major(), device.minor());
        Set<Long> inodes = new HashSet<>();
        try (DirectoryStream<Path> processes = Files.newDirectoryStream(PROC, SharedWritableMappings::isProcess)) {
            for (Path process : processes) {
                readMaps(process.resolve("maps"), wanted, inodes);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return inodes;
    }

    private static boolean isProcess(Path entry) {
        String name = entry.getFileName().toString();
        return !name.isEmpty() && name.chars().allMatch(Character::isDigit);
    }

    private static void readMaps(Path maps, String wantedDevice, Set<Long> inodes) {
        byte[] content;
        try {
            content = Files.readAllBytes(maps);
        } catch (NoSuchFileException e) {
            return; // the process ended
        } catch (IOException e) {
            return; // a process whose maps cannot be read (gone mid-read, or not ours to read)
        }
        for (String line : new String(content, StandardCharsets.ISO_8859_1).split("\n")) {
            inodeIfSharedWritable(line, wantedDevice, inodes);
        }
    }

    /** Adds the line's inode when it maps a file of the wanted device shared and writable. */
    static void inodeIfSharedWritable(String line, String wantedDevice, Set<Long> inodes) {
        String[] fields = line.trim().split("\\s+", 6);
        if (fields.length < 5) {
            return;
        }
        String perms = fields[1];
        if (perms.length() < 4 || perms.charAt(1) != 'w' || perms.charAt(3) != 's') {
            return;
        }
        if (!fields[3].equalsIgnoreCase(wantedDevice)) {
            return;
        }
        try {
            long inode = Long.parseLong(fields[4]);
            if (inode != 0) {
                inodes.add(inode);
            }
        } catch (NumberFormatException e) {
            // not a maps line
        }
    }
}
