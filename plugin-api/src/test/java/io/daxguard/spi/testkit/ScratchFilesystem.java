package io.daxguard.spi.testkit;

import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.linux.FileStatus;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real filesystem made by {@code mkfs} on an image file in a fresh temporary directory, attached to a loop
 * device it finds free, and mounted; optionally inside a partition of a GPT-partitioned loop disk.
 *
 * <p>Use it as a JUnit extension ({@code @RegisterExtension static final ScratchFilesystem fs = ...}) or with
 * try-with-resources. Everything it makes is undone in reverse order on {@link #close()}, also when setting
 * up failed half way; it touches only the image, loop device and mount point it created.
 */
public final class ScratchFilesystem implements AutoCloseable, BeforeAllCallback, AfterAllCallback {
    /** Where the filesystem partition starts on a partitioned disk: 1 MiB, after the GPT. */
    public static final long PARTITION_1_START = 1L << 20;
    /** The small first partition of a partitioned disk, left unformatted. */
    public static final long PARTITION_1_SIZE = 16L << 20;

    private final String type;
    private final long sizeBytes;
    private final List<String> mkfsOptions;
    private final boolean partitioned;
    private final Deque<Undo> undo = new ArrayDeque<>();
    private Path directory;
    private Path image;
    private Path disk;
    private Path device;
    private Path mountPoint;

    private ScratchFilesystem(String type, long sizeBytes, List<String> mkfsOptions, boolean partitioned) {
        this.type = type;
        this.sizeBytes = sizeBytes;
        this.mkfsOptions = List.copyOf(mkfsOptions);
        this.partitioned = partitioned;
    }

    /** XFS with the reverse-map btree and reflink, as daxguard wants it. */
    public static Builder xfs() {
        return new Builder("xfs").mkfsOptions("-m", "rmapbt=1,reflink=1");
    }

    /** ext4 with mkfs defaults. */
    public static Builder ext4() {
        return new Builder("ext4");
    }

    /** Any type whose {@code mkfs.<type>} exists. */
    public static Builder of(String type) {
        return new Builder(type);
    }

    /** Makes, attaches and mounts; undoes what it did if a step fails. */
    public ScratchFilesystem create() throws IOException {
        List<String> tools = new ArrayList<>(List.of("losetup", "mount", "umount", "mkfs." + type));
        if (partitioned) {
            tools.add("sfdisk");
            tools.add("partx");
        }
        Privileges.requireRootLoopAnd(tools.toArray(String[]::new));
        try {
            directory = Files.createTempDirectory("daxguard-" + type + "-");
            undo.push(() -> deleteTree(directory));
            image = directory.resolve("disk.img");
            try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
                file.setLength(sizeBytes + (partitioned ? PARTITION_1_START + PARTITION_1_SIZE + (1L << 20) : 0));
            }
            if (partitioned) {
                Command.run("sh", "-c", "printf 'label: gpt\\nstart=2048, size=" + (PARTITION_1_SIZE / 512)
                        + "\\nstart=" + ((PARTITION_1_START + PARTITION_1_SIZE) / 512) + ", size="
                        + (sizeBytes / 512) + "\\n' | sfdisk --quiet " + image);
            }
            String loop = partitioned
                    ? Command.run("losetup", "--find", "--show", "--partscan", image.toString()).strip()
                    : Command.run("losetup", "--find", "--show", image.toString()).strip();
            disk = Path.of(loop);
            undo.push(() -> Command.run("losetup", "--detach", loop));
            device = partitioned ? Path.of(loop + "p2") : disk;
            if (partitioned && !Files.exists(device)) {
                // Some kernels do not scan loop partitions themselves; partx reads the table and adds them.
                Command.run("partx", "--add", loop);
                undo.push(() -> Command.run("partx", "--delete", loop));
            }
            if (!Files.exists(device)) {
                throw new IOException("partition device " + device + " did not appear after losetup --partscan and partx");
            }
            List<String> mkfs = new ArrayList<>(List.of("mkfs." + type, "-q"));
            if (type.equals("xfs")) {
                mkfs.add("-f");
            }
            mkfs.addAll(mkfsOptions);
            mkfs.add(device.toString());
            Command.run(mkfs.toArray(String[]::new));
            mountPoint = Files.createDirectory(directory.resolve("mnt"));
            Command.run("mount", "-t", type, device.toString(), mountPoint.toString());
            undo.push(this::unmount);
            return this;
        } catch (IOException | RuntimeException e) {
            try {
                close();
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    private void unmount() throws IOException {
        Command.Result result = Command.tryRun("umount", mountPoint.toString());
        if (result.exitCode() != 0) {
            // Busy (a test left a file open): detach now so the loop device can go; the kernel finishes later.
            Command.run("umount", "--lazy", mountPoint.toString());
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        while (!undo.isEmpty()) {
            try {
                undo.pop().run();
            } catch (IOException | RuntimeException e) {
                if (first == null) {
                    first = new IOException("cleaning up " + type + " scratch filesystem", e);
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        create();
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        close();
    }

    public String type() {
        return type;
    }

    /** Where the filesystem is mounted. */
    public Path mountPoint() {
        return mountPoint;
    }

    /** A path inside the filesystem. */
    public Path path(String relative) {
        return mountPoint.resolve(relative);
    }

    /** The block device the filesystem is on: the loop device, or its partition. */
    public Path device() {
        return device;
    }

    /** The whole loop disk. */
    public Path disk() {
        return disk;
    }

    /** The image file behind the loop device. */
    public Path image() {
        return image;
    }

    /** Where the filesystem starts on the whole disk, in bytes. */
    public long offsetOnDisk() {
        return partitioned ? PARTITION_1_START + PARTITION_1_SIZE : 0;
    }

    public DeviceNumber deviceNumber() throws IOException {
        return FileStatus.ofPath(device).rdev();
    }

    public DeviceNumber diskNumber() throws IOException {
        return FileStatus.ofPath(disk).rdev();
    }

    @FunctionalInterface
    private interface Undo {
        void run() throws IOException;
    }

    /** Settings of a scratch filesystem. */
    public static final class Builder {
        private final String type;
        private long sizeBytes = 320L << 20;
        private final List<String> mkfsOptions = new ArrayList<>();
        private boolean partitioned;

        private Builder(String type) {
            this.type = type;
        }

        /** Size of the filesystem (default 320 MiB, above the 300 MiB XFS minimum). */
        public Builder sizeMiB(long mebibytes) {
            this.sizeBytes = mebibytes << 20;
            return this;
        }

        /** Replaces the mkfs options. */
        public Builder mkfsOptions(String... options) {
            mkfsOptions.clear();
            mkfsOptions.addAll(List.of(options));
            return this;
        }

        /** Puts the filesystem in the second partition of a GPT disk attached with {@code --partscan}. */
        public Builder partitioned() {
            this.partitioned = true;
            return this;
        }

        public ScratchFilesystem build() {
            return new ScratchFilesystem(type, sizeBytes, mkfsOptions, partitioned);
        }

        /** {@link #build()} then {@link ScratchFilesystem#create()}. */
        public ScratchFilesystem create() throws IOException {
            return build().create();
        }
    }
}
