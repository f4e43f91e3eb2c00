package io.daxguard.testkit;

import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.LinuxPath;
import io.daxguard.support.linux.FileStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A real filesystem made by {@code mkfs} on an image file in a fresh temporary directory, attached to a loop
 * device it finds free, and mounted; optionally inside a partition of a GPT-partitioned loop disk.
 *
 * <p>Use it as a JUnit extension ({@code @RegisterExtension static final ScratchFilesystem fs = ...}) or with
 * try-with-resources. Everything it makes is undone in reverse order on {@link #close()}, also when setting
 * up failed half way; it touches only the image, loop device and mount point it created.
 */
public final class ScratchFilesystem extends LoopFilesystem {
    /** Where the filesystem partition starts on a partitioned disk: 1 MiB, after the GPT. */
    public static final long PARTITION_1_START = 1L << 20;
    /** The small first partition of a partitioned disk, left unformatted. */
    public static final long PARTITION_1_SIZE = 16L << 20;

    private final boolean partitioned;
    private final LinuxPath mountDirectoryName;
    private Path directory;
    private Path image;
    private Path disk;

    private ScratchFilesystem(String type, long sizeBytes, List<String> mkfsOptions, boolean partitioned,
                              LinuxPath mountDirectoryName) {
        super(type, sizeBytes, mkfsOptions);
        this.partitioned = partitioned;
        this.mountDirectoryName = mountDirectoryName;
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
    @Override
    public ScratchFilesystem create() throws IOException {
        List<String> tools = new ArrayList<>(List.of("losetup", "mount", "umount", "mkfs." + type()));
        if (partitioned) {
            tools.add("sfdisk");
            tools.add("partx");
        }
        Privileges.requireRootLoopAnd(tools.toArray(String[]::new));
        makeOrUndo(this::make);
        return this;
    }

    private void make() throws IOException {
        directory = Files.createTempDirectory("daxguard-" + type() + "-");
        pushUndo(() -> Teardown.deleteTree(directory));
        image = sparseFile(directory.resolve("disk.img"),
                sizeBytes() + (partitioned ? PARTITION_1_START + PARTITION_1_SIZE + (1L << 20) : 0));
        if (partitioned) {
            Command.run("sh", "-c", "printf 'label: gpt\\nstart=2048, size=" + (PARTITION_1_SIZE / 512)
                    + "\\nstart=" + ((PARTITION_1_START + PARTITION_1_SIZE) / 512) + ", size="
                    + (sizeBytes() / 512) + "\\n' | sfdisk --quiet " + image);
        }
        disk = partitioned ? attachLoop(image, "--partscan") : attachLoop(image);
        String loop = disk.toString();
        Path device = partitioned ? Path.of(loop + "p2") : disk;
        if (partitioned && !Files.exists(device)) {
            // Some kernels do not scan loop partitions themselves; partx reads the table and adds them.
            Command.run("partx", "--add", loop);
            pushUndo(() -> Command.run("partx", "--delete", loop));
        }
        if (!Files.exists(device)) {
            throw new IOException("partition device " + device + " did not appear after losetup --partscan and partx");
        }
        if (mountDirectoryName == null) {
            formatAndMount(device, directory.resolve("mnt"));
        } else {
            formatAndMount(device, directory.resolve("mnt"), mountDirectoryName);
        }
    }

    @Override
    String description() {
        return type() + " scratch filesystem";
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

    public DeviceNumber diskNumber() throws IOException {
        return FileStatus.ofPath(disk).rdev();
    }

    /** Settings of a scratch filesystem. */
    public static final class Builder {
        private final String type;
        private long sizeBytes = 320L << 20;
        private final List<String> mkfsOptions = new ArrayList<>();
        private boolean partitioned;
        private LinuxPath mountDirectoryName;

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

        /**
         * Mounts the filesystem on a directory with this name (one component, any bytes: {@link ByteNames#latin1}),
         * inside a directory {@code mnt} of its own, instead of on {@code mnt} itself.
         */
        public Builder mountDirectoryNamed(LinuxPath name) {
            this.mountDirectoryName = name;
            return this;
        }

        public ScratchFilesystem build() {
            return new ScratchFilesystem(type, sizeBytes, mkfsOptions, partitioned, mountDirectoryName);
        }

        /** {@link #build()} then {@link ScratchFilesystem#create()}. */
        public ScratchFilesystem create() throws IOException {
            return build().create();
        }
    }
}
