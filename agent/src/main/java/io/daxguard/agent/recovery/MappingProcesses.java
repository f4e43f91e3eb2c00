package io.daxguard.agent.recovery;

import io.daxguard.spi.DeviceNumber;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The processes that map a file, found in {@code /proc/<pid>/maps} by device and inode: the user-space twin
 * of the kernel's {@code collect_procs}. A maps line is {@code start-end perms offset major:minor inode path}
 * with major and minor in hex. Processes that exit or hide their maps while being read are skipped.
 */
public final class MappingProcesses {
    private MappingProcesses() {
    }

    /** A process mapping the file. */
    public record Mapper(long pid, String command) {
        public String line() {
            return pid + " (" + command + ")";
        }
    }

    public static List<Mapper> of(Path proc, DeviceNumber device, long inode) {
        List<Mapper> mappers = new ArrayList<>();
        String deviceText = String.format("%02x:%02x", device.major(), device.minor());
        String inodeText = Long.toString(inode);
        try (DirectoryStream<Path> processes = Files.newDirectoryStream(proc, entry ->
                entry.getFileName().toString().chars().allMatch(Character::isDigit))) {
            for (Path process : processes) {
                if (maps(process.resolve("maps"), deviceText, inodeText)) {
                    mappers.add(new Mapper(Long.parseLong(process.getFileName().toString()), command(process)));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list processes in " + proc + ": " + e.getMessage());
        }
        mappers.sort((a, b) -> Long.compare(a.pid(), b.pid()));
        return mappers;
    }

    private static boolean maps(Path maps, String device, String inode) {
        try {
            // One char per byte: the mapped files' paths at the end of a line need not be UTF-8, and the fields
            // compared (device, inode) are ASCII.
            for (String line : new String(Files.readAllBytes(maps), StandardCharsets.ISO_8859_1).split("\n")) {
                String[] fields = line.split("\\s+", 6);
                if (fields.length >= 5 && fields[4].equals(inode) && sameDevice(fields[3], device)) {
                    return true;
                }
            }
        } catch (IOException | RuntimeException gone) {
            // The process exited, or its maps are not ours to read.
        }
        return false;
    }

    /** maps prints at least two hex digits per part; compare numerically to be safe about width. */
    private static boolean sameDevice(String field, String device) {
        if (field.equals(device)) {
            return true;
        }
        String[] a = field.split(":");
        String[] b = device.split(":");
        return a.length == 2 && Integer.parseInt(a[0], 16) == Integer.parseInt(b[0], 16)
                && Integer.parseInt(a[1], 16) == Integer.parseInt(b[1], 16);
    }

    private static String command(Path process) {
        try {
            return Files.readString(process.resolve("comm"), StandardCharsets.UTF_8).strip();
        } catch (IOException gone) {
            return "?";
        }
    }
}
