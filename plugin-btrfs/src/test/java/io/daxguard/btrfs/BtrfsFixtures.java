package io.daxguard.btrfs;

import io.daxguard.testkit.FilePlacement;
import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.LinuxPath;
import io.daxguard.spi.Mount;
import io.daxguard.support.linux.FileStatus;
import io.daxguard.testkit.Command;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the btrfs tests share: mount records, written files, and btrfs-progs' own answers to compare with. */
final class BtrfsFixtures {
    static final int BLOCK = 4096;
    private static final Pattern MIRROR = Pattern.compile("mirror (\\d+) logical (\\d+) physical (\\d+) device (\\S+)");

    private BtrfsFixtures() {
    }

    /** The mount record of {@code mountPoint}, read from {@code /proc/self/mountinfo} as the agent reads it. */
    static Mount mountOf(Path mountPoint) throws IOException {
        // A byte per char: another mount's name may be no UTF-8; the fixtures' mount points are ASCII.
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.ISO_8859_1)) {
            String[] fields = line.split(" ");
            if (fields[4].equals(mountPoint.toString())) {
                int separator = List.of(fields).indexOf("-");
                return new Mount(Integer.parseInt(fields[0]), DeviceNumber.parse(fields[2]), fields[3],
                        LinuxPath.of(Path.of(fields[4])), fields[separator + 1], fields[separator + 2],
                        fields[5] + "," + fields[separator + 3]);
            }
        }
        throw new IOException(mountPoint + " is not in /proc/self/mountinfo");
    }

    /** Writes {@code blocks} blocks of random bytes, fsyncs, and commits the transaction so backrefs are found. */
    static Path writeCommitted(Path file, int blocks) throws IOException {
        byte[] content = new byte[blocks * BLOCK];
        new Random(file.hashCode()).nextBytes(content);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(content));
            channel.force(true);
        }
        commit(file.getParent());
        return file;
    }

    /** Commits the btrfs transaction ({@code btrfs filesystem sync}). */
    static void commit(Path inside) throws IOException {
        Command.run("btrfs", "filesystem", "sync", inside.toString());
    }

    /** The btrfs logical address of byte {@code offset} of {@code file} (FIEMAP's physical is btrfs's logical). */
    static long logicalOf(Path file, long offset) throws IOException {
        return FilePlacement.physicalOf(file, offset);
    }

    /** Where btrfs-progs ({@code btrfs-map-logical}) places a logical address: one per mirror. */
    record Placement(int mirror, long physical, Path device) {
        DeviceNumber deviceNumber() throws IOException {
            return FileStatus.ofPath(device).rdev();
        }
    }

    static List<Placement> placementsOf(long logical, Path anyDevice) throws IOException {
        String out = Command.run("btrfs-map-logical", "-l", Long.toString(logical), "-b", "4096",
                anyDevice.toString());
        List<Placement> placements = new ArrayList<>();
        Matcher m = MIRROR.matcher(out);
        while (m.find()) {
            placements.add(new Placement(Integer.parseInt(m.group(1)), Long.parseLong(m.group(3)),
                    Path.of(m.group(4))));
        }
        if (placements.isEmpty()) {
            throw new IOException("btrfs-map-logical placed nothing: " + out);
        }
        return placements;
    }

    /**
     * Where the first stripe of the chunk holding {@code logical} places it, from the chunk tree as
     * {@code btrfs inspect-internal dump-tree -t chunk} reads it from the device: for an address whose extent is not
     * committed yet, which {@code btrfs-map-logical} refuses.
     */
    static long physicalFromChunkTree(long logical, Path device) throws IOException {
        String dump = Command.run("btrfs", "inspect-internal", "dump-tree", "-t", "chunk", device.toString());
        Matcher chunk = Pattern.compile("CHUNK_ITEM (\\d+)\\)[^\\n]*\\n\\s*length (\\d+) owner[\\s\\S]*?stripe 0 devid \\d+ offset (\\d+)")
                .matcher(dump);
        while (chunk.find()) {
            long start = Long.parseLong(chunk.group(1));
            if (start <= logical && logical < start + Long.parseLong(chunk.group(2))) {
                return Long.parseLong(chunk.group(3)) + (logical - start);
            }
        }
        throw new IOException("no chunk holds logical " + logical + " in:\n" + dump);
    }

    static long inodeOf(Path file) throws IOException {
        return FileStatus.ofPathNoFollow(file).inode();
    }

    /** A value of {@code btrfs inspect-internal dump-super}, for example {@code "root"} or {@code "chunk_root"}. */
    static long superblockField(Path device, String field) throws IOException {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(field) + "\\s+(\\d+)$")
                .matcher(Command.run("btrfs", "inspect-internal", "dump-super", device.toString()));
        if (!m.find()) {
            throw new IOException("dump-super has no " + field);
        }
        return Long.parseLong(m.group(1));
    }
}
