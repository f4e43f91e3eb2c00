package io.daxguard.agent.recovery;

import io.daxguard.agent.ranges.ByteRange;
import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.LinuxPath;
import io.daxguard.support.linux.FileGeneration;
import io.daxguard.support.linux.FileStatus;
import io.daxguard.support.linux.NativeCallException;
import io.daxguard.support.linux.NativeFile;
import io.daxguard.support.linux.Pidfd;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The processes that map a file: the user-space twin of the kernel's {@code collect_procs}. A
 * {@code /proc/<pid>/maps} line ({@code start-end perms offset major:minor inode path}, major and minor in hex) with
 * the file's device and inode is only a candidate: an inode number is reused by another file once the first is
 * deleted. Each candidate mapping is opened through {@code /proc/<pid>/map_files/<start>-<end>} (the mapped file
 * itself, whatever its name now) and must have the file's device, inode and generation.
 *
 * <p>For a signal, the process is first held by a descriptor ({@link Pidfd}), and only then are its mappings read:
 * what is read is that process's while it runs, and the signal goes through the descriptor, so a process that
 * exited meanwhile is not signalled and its number, if reused, never is. Processes that exit or hide their maps
 * while being read are skipped.
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

    /** The file a mapping must be: device, inode and generation. */
    public record FileIdentity(DeviceNumber device, long inode, long generation) {
    }

    /** A mapper held by a process descriptor, to be signalled through it; closes the descriptor. */
    record Held(Mapper mapper, NativeFile process) implements AutoCloseable {
        @Override
        public void close() {
            process.closeQuietly(); // a process descriptor holds nothing that a failed close could lose
        }
    }

    /** Every process mapping {@code file} now, by pid. */
    public static List<Mapper> of(Path proc, FileIdentity file) {
        return of(proc, file, null);
    }

    /**
     * Every process with a mapping of {@code file} that covers one of {@code fileRanges} (file bytes) now, by pid: a
     * mapping covers the file's bytes {@code [offset, offset + end - start)} of its maps line. Null: any mapping.
     */
    public static List<Mapper> of(Path proc, FileIdentity file, List<ByteRange> fileRanges) {
        List<Mapper> mappers = new ArrayList<>();
        for (long pid : candidates(proc, file, fileRanges)) {
            if (mapsTheFile(proc, pid, file, fileRanges)) {
                mappers.add(new Mapper(pid, command(proc, pid)));
            }
        }
        return mappers;
    }

    /**
     * Every process mapping {@code file} now, each held by a descriptor opened before its mappings were checked; the
     * caller closes them.
     */
    static List<Held> held(Path proc, FileIdentity file) {
        return held(proc, file, null);
    }

    /** As {@link #held(Path, FileIdentity)}, only processes whose mapping covers one of {@code fileRanges}. */
    static List<Held> held(Path proc, FileIdentity file, List<ByteRange> fileRanges) {
        List<Held> held = new ArrayList<>();
        for (long pid : candidates(proc, file, fileRanges)) {
            NativeFile process;
            try {
                process = Pidfd.open(pid);
            } catch (NativeCallException gone) {
                continue;
            }
            if (mapsTheFile(proc, pid, file, fileRanges)) {
                held.add(new Held(new Mapper(pid, command(proc, pid)), process));
            } else {
                process.closeQuietly();
            }
        }
        return held;
    }

    /** The pids whose maps have a line with the file's device and inode, in order. */
    private static List<Long> candidates(Path proc, FileIdentity file, List<ByteRange> fileRanges) {
        List<Long> pids = new ArrayList<>();
        try (DirectoryStream<Path> processes = Files.newDirectoryStream(proc, entry ->
                entry.getFileName().toString().chars().allMatch(Character::isDigit))) {
            for (Path process : processes) {
                long pid = Long.parseLong(process.getFileName().toString());
                if (!mappings(proc, pid, file, fileRanges).isEmpty()) {
                    pids.add(pid);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list processes in " + proc + ": " + e.getMessage());
        }
        pids.sort(Long::compare);
        return pids;
    }

    /** Whether one of the process's mappings with the file's device and inode is the file (generation too). */
    private static boolean mapsTheFile(Path proc, long pid, FileIdentity file, List<ByteRange> fileRanges) {
        for (String range : mappings(proc, pid, file, fileRanges)) {
            LinuxPath mapped = LinuxPath.of(proc.resolve(Long.toString(pid)).resolve("map_files").resolve(range));
            try (NativeFile opened = NativeFile.openReadOnly(mapped)) {
                FileStatus status = opened.status();
                if (status.device().equals(file.device()) && status.inode() == file.inode()
                        && FileGeneration.of(opened) == file.generation()) {
                    return true;
                }
            } catch (IOException gone) {
                // The mapping or the process went away, or the file has no generation to tell: not this file.
            }
        }
        return false;
    }

    /**
     * The {@code start-end} of every maps line with the file's device and inode (and, unless {@code fileRanges} is
     * null, whose file offsets cover one of them).
     */
    private static List<String> mappings(Path proc, long pid, FileIdentity file, List<ByteRange> fileRanges) {
        List<String> ranges = new ArrayList<>();
        String inode = Long.toString(file.inode());
        try {
            // One char per byte: the mapped files' paths at the end of a line need not be UTF-8, and the fields
            // compared (range, device, inode) are ASCII.
            String maps = new String(Files.readAllBytes(proc.resolve(Long.toString(pid)).resolve("maps")),
                    StandardCharsets.ISO_8859_1);
            for (String line : maps.split("\n")) {
                String[] fields = line.split("\\s+", 6);
                if (fields.length >= 5 && fields[4].equals(inode) && sameDevice(fields[3], file.device())
                        && covers(fields[0], fields[2], fileRanges)) {
                    ranges.add(fields[0]);
                }
            }
        } catch (IOException | RuntimeException gone) {
            // The process exited, or its maps are not ours to read.
        }
        return ranges;
    }

    /**
     * Whether the mapping {@code start-end} at file offset {@code offset} (hex, as maps prints them) maps any byte of
     * {@code fileRanges}; null ranges: any mapping does.
     */
    private static boolean covers(String addresses, String offset, List<ByteRange> fileRanges) {
        if (fileRanges == null) {
            return true;
        }
        String[] bounds = addresses.split("-");
        long first = Long.parseUnsignedLong(offset, 16);
        long end = first + (Long.parseUnsignedLong(bounds[1], 16) - Long.parseUnsignedLong(bounds[0], 16));
        return fileRanges.stream().anyMatch(range -> range.offset() < end && first < range.end());
    }

    /** maps prints at least two hex digits per part; compared as numbers. */
    private static boolean sameDevice(String field, DeviceNumber device) {
        String[] parts = field.split(":");
        return parts.length == 2 && Long.parseLong(parts[0], 16) == device.major()
                && Long.parseLong(parts[1], 16) == device.minor();
    }

    private static String command(Path proc, long pid) {
        try {
            return Files.readString(proc.resolve(Long.toString(pid)).resolve("comm"), StandardCharsets.UTF_8).strip();
        } catch (IOException gone) {
            return "?";
        }
    }
}
