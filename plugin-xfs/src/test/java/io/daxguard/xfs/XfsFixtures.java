package io.daxguard.xfs;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.Holder;
import io.daxguard.spi.LinuxPath;
import io.daxguard.spi.Mount;
import io.daxguard.spi.Owner;
import io.daxguard.spi.PluginContext;
import io.daxguard.support.linux.Fiemap;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.support.linux.FileGeneration;
import io.daxguard.support.linux.FsmapRecord;
import io.daxguard.support.linux.Getfsmap;
import io.daxguard.support.linux.NativeFile;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.Privileges;
import io.daxguard.testkit.ScratchFilesystem;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What the XFS tests share: a scratch XFS with the holder attached, the mount record of a scratch filesystem,
 * synced files, and independent views.
 */
final class XfsFixtures {
    static final int BLOCK = 4096;

    private XfsFixtures() {
    }

    /**
     * A scratch XFS (rmapbt, reflink) with the plugin's holder attached to it, shared by the tests of one class:
     * register it as {@code @RegisterExtension static final}. After all tests the holder is closed, then the
     * filesystem taken apart, also when attaching failed.
     */
    static final class AttachedScratchXfs implements BeforeAllCallback, AfterAllCallback {
        private final ScratchFilesystem filesystem = ScratchFilesystem.xfs().build();
        private final String[] tools;
        private Holder holder;

        /** {@code tools}: the executables the tests run besides mkfs and mount, required as {@link Privileges} says. */
        AttachedScratchXfs(String... tools) {
            this.tools = tools.clone();
        }

        @Override
        public void beforeAll(ExtensionContext context) throws IOException {
            filesystem.create();
            Privileges.requireRootLoopAnd(tools);
            holder = new XfsPlugin().attach(mountOf(filesystem), PluginContext.of(System.getLogger("test")));
        }

        @Override
        public void afterAll(ExtensionContext context) throws IOException {
            try {
                if (holder != null) {
                    holder.close();
                }
            } finally {
                filesystem.close();
            }
        }

        ScratchFilesystem filesystem() {
            return filesystem;
        }

        Holder holder() {
            return holder;
        }
    }

    /** The mount record of a scratch filesystem, read from {@code /proc/self/mountinfo} as the agent reads it. */
    static Mount mountOf(ScratchFilesystem fs) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"), java.nio.charset.StandardCharsets.ISO_8859_1)) {
            String[] fields = line.split(" ");
            if (fields[4].equals(fs.mountPoint().toString())) {
                int separator = List.of(fields).indexOf("-");
                return new Mount(Integer.parseInt(fields[0]), DeviceNumber.parse(fields[2]), fields[3],
                        LinuxPath.of(Path.of(fields[4])), fields[separator + 1], fields[separator + 2],
                        fields[5] + "," + fields[separator + 3]);
            }
        }
        throw new IOException(fs.mountPoint() + " is not in /proc/self/mountinfo");
    }

    /** Writes {@code blocks} blocks of random bytes and fsyncs, so delayed allocation has placed them. */
    static Path writeSynced(Path file, int blocks) throws IOException {
        byte[] content = new byte[blocks * BLOCK];
        new Random(file.hashCode()).nextBytes(content);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(content));
            channel.force(true);
        }
        return file;
    }

    /**
     * Writes one block at every other block offset, {@code blocks} times, and fsyncs: the holes keep every block
     * its own extent, so enough of them overflow the inode into an extent-map btree.
     */
    static Path writeEveryOtherBlock(Path file, int blocks) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (int i = 0; i < blocks; i++) {
                channel.write(ByteBuffer.wrap(new byte[BLOCK]), 2L * i * BLOCK);
            }
            channel.force(true);
        }
        return file;
    }

    /** Fsyncs a file some tool wrote. */
    static void sync(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
    }

    /**
     * Leaves CoW staging extents behind: a reflinked copy with a 1 MiB CoW extent size hint, one block of which is
     * rewritten, stages the whole 1 MiB; XFS frees the unused staging only after minutes (blockgc).
     */
    static void stageCopyOnWrite(Path original, Path copy) throws IOException {
        Command.run("cp", "--reflink=always", original.toString(), copy.toString());
        Command.run("xfs_io", "-c", "cowextsize 1m", "-c", "pwrite " + BLOCK + " " + BLOCK, "-c", "fsync",
                copy.toString());
    }

    /** The file's data extents, as FIEMAP reports them (an independent view from GETFSMAP's). */
    static List<FiemapExtent> dataExtents(Path file) throws IOException {
        return extents(file, Fiemap.FLAG_SYNC);
    }

    /** The file's attribute fork extents. */
    static List<FiemapExtent> attributeExtents(Path file) throws IOException {
        return extents(file, Fiemap.FLAG_XATTR);
    }

    private static List<FiemapExtent> extents(Path file, int flags) throws IOException {
        List<FiemapExtent> extents = new ArrayList<>();
        try (NativeFile open = NativeFile.openReadOnly(file)) {
            Fiemap.map(open, 0, Long.MAX_VALUE, flags, Fiemap.DEFAULT_BATCH, extents::add);
        }
        return extents;
    }

    /**
     * Writes one-block files into {@code directory} until XFS gives one inode {@code number} (freed before), up to 200;
     * that file, or null.
     */
    static Path fileTakingInode(Path directory, long number) throws IOException {
        for (int i = 0; i < 200; i++) {
            Path made = writeSynced(directory.resolve("next-" + i), 1);
            if (inode(made) == number) {
                return made;
            }
        }
        return null;
    }

    static long inode(Path file) throws IOException {
        return ((Number) Files.getAttribute(file, "unix:ino")).longValue();
    }

    static long generation(Path file) throws IOException {
        try (NativeFile open = NativeFile.openReadOnly(file)) {
            return FileGeneration.of(open);
        }
    }

    /**
     * One line of {@code xfs_io -c "fsmap -m"}: a range in bytes and the owner as xfs_io names it
     * ({@code special_88:2} for the log, {@code special_0:1} for free space, {@code inode_131_data}).
     */
    record XfsIoMapping(long start, long end, String owner) {
    }

    /** The whole reverse map as xfs_io prints it: a view of the filesystem independent of daxguard's code. */
    static List<XfsIoMapping> xfsIoFsmap(Path mountPoint) throws IOException {
        List<XfsIoMapping> mappings = new ArrayList<>();
        for (String line : Command.run("xfs_io", "-c", "fsmap -m", mountPoint.toString()).split("\n")) {
            String[] fields = line.split(",");
            if (fields.length < 9 || fields[0].equals("EXT")) {
                continue;
            }
            long firstSector = Long.parseLong(fields[3]);
            long lastSector = Long.parseLong(fields[4]);
            mappings.add(new XfsIoMapping(firstSector * 512, (lastSector + 1) * 512, fields[5]));
        }
        return mappings;
    }

    /** The first range xfs_io gives the owner. */
    static XfsIoMapping firstOwnedBy(Path mountPoint, String xfsIoOwner) throws IOException {
        return xfsIoFsmap(mountPoint).stream().filter(m -> m.owner().equals(xfsIoOwner)).findFirst()
                .orElseThrow(() -> new AssertionError("xfs_io fsmap names no " + xfsIoOwner));
    }

    /** The first GETFSMAP record (untrimmed, straight from plugin-api's wrapper) that satisfies {@code wanted}. */
    static FsmapRecord firstRecord(ScratchFilesystem fs, Predicate<FsmapRecord> wanted) throws IOException {
        List<FsmapRecord> found = new ArrayList<>(1);
        int device = fs.deviceNumber().encoded();
        try (NativeFile mountPoint = NativeFile.openReadOnly(fs.mountPoint())) {
            Getfsmap.query(mountPoint, device, 0, Long.MAX_VALUE, Getfsmap.DEFAULT_BATCH, record -> {
                if (wanted.test(record)) {
                    found.add(record);
                    return false;
                }
                return true;
            });
        }
        return found.stream().findFirst().orElseThrow(() -> new AssertionError("GETFSMAP has no such record"));
    }

    /**
     * Checks the holder's contract over {@code [from, to)}: owners in physical order, inside the range, covering
     * every byte, and overlapping only where both are shared file data (sharers of one reflinked block).
     */
    static void assertCoversEveryByte(List<Owner> owners, long from, long to) {
        assertThat(owners).isNotEmpty();
        assertThat(owners).isSortedAccordingTo((a, b) -> Long.compare(a.physicalOffset(), b.physicalOffset()));
        assertThat(owners.get(0).physicalOffset()).as("first owner starts the range").isEqualTo(from);
        long covered = from;
        for (Owner owner : owners) {
            assertThat(owner.physicalOffset()).as("no gap before %s", owner).isLessThanOrEqualTo(covered);
            assertThat(owner.physicalEnd()).as("%s inside the range", owner).isLessThanOrEqualTo(to);
            covered = Math.max(covered, owner.physicalEnd());
        }
        for (int i = 0; i < owners.size(); i++) {
            for (int j = i + 1; j < owners.size(); j++) {
                Owner a = owners.get(i);
                Owner b = owners.get(j);
                if (a.physicalOffset() < b.physicalEnd() && b.physicalOffset() < a.physicalEnd()) {
                    assertThat(List.of(a, b)).as("only sharers overlap")
                            .allMatch(o -> o instanceof FileOwner file && file.shared());
                }
            }
        }
        assertThat(covered).as("the last owner ends the range").isEqualTo(to);
    }
}
