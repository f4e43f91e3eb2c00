package io.daxguard.agent.topology;

import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.LinuxPath;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads a {@link Topology} from sysfs and mountinfo. Both roots are configurable so a test can point the
 * reader at a copy, but the agent reads the real {@code /sys} and {@code /proc/self/mountinfo}.
 */
public final class TopologyReader {
    private static final long SECTOR = 512;

    private final Path sysfs;
    private final Path mountinfo;

    public TopologyReader(Path sysfs, Path mountinfo) {
        this.sysfs = sysfs;
        this.mountinfo = mountinfo;
    }

    public static TopologyReader system() {
        return new TopologyReader(Path.of("/sys"), Path.of("/proc/self/mountinfo"));
    }

    /** Tells the disks under this sysfs apart. */
    public DiskIdentity diskIdentity() {
        return new DiskIdentity(sysfs);
    }

    /**
     * The device's logical block size (512, 4096 on a 4Kn disk): the smallest unit it reads, fails and is written in.
     * 512 when sysfs cannot say (the device went away; the kernel's own unit).
     */
    public int logicalBlockSize(DeviceNumber device) {
        try {
            return DirectIoAlignment.ofDevice(sysfs, device).logicalBlockSize();
        } catch (IOException gone) {
            return 512;
        }
    }

    public Topology read() throws IOException {
        return new Topology(readDevices(), MountTable.read(mountinfo));
    }

    /**
     * The mountinfo text, to tell whether the mount table changed since a snapshot: one char per byte
     * (ISO-8859-1), since mount points need not be UTF-8 and the text is only compared, never shown.
     */
    public String mountTableText() throws IOException {
        return new String(Files.readAllBytes(mountinfo), StandardCharsets.ISO_8859_1);
    }

    private List<BlockDevice> readDevices() throws IOException {
        List<BlockDevice> devices = new ArrayList<>();
        Path classBlock = sysfs.resolve("class/block");
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(classBlock)) {
            for (Path entry : entries) {
                try {
                    readDevice(entry).ifPresent(devices::add);
                } catch (NoSuchFileException vanished) {
                    // The device went away while we read it; the next snapshot will not have it either.
                } catch (IOException changed) {
                    // A loop device detached while we read it answers ENODEV ("No such device") for the loop/
                    // attributes it still listed a moment ago; read as it is now (an agent starting while the host
                    // sets up or takes down disks must not fail to start). Anything else fails again here.
                    try {
                        readDevice(entry).ifPresent(devices::add);
                    } catch (NoSuchFileException vanished) {
                        // gone
                    }
                }
            }
        }
        return devices;
    }

    private Optional<BlockDevice> readDevice(Path entry) throws IOException {
        Path dev = entry.resolve("dev");
        if (!Files.exists(dev)) {
            return Optional.empty();
        }
        String name = entry.getFileName().toString();
        DeviceNumber number = DeviceNumber.parse(Files.readString(dev).strip());
        long size = readLong(entry.resolve("size")) * SECTOR;
        Optional<String> parent = Optional.empty();
        long start = 0;
        if (Files.exists(entry.resolve("partition"))) {
            parent = Optional.of(entry.toRealPath().getParent().getFileName().toString());
            start = readLong(entry.resolve("start")) * SECTOR;
        }
        Optional<BlockDevice.LoopBacking> loop = Optional.empty();
        Path backing = entry.resolve("loop/backing_file");
        if (Files.exists(backing)) {
            loop = Optional.of(new BlockDevice.LoopBacking(pathIn(backing), readLong(entry.resolve("loop/offset"))));
        }
        return Optional.of(new BlockDevice(name, number, size, parent, start, loop));
    }

    /**
     * A path sysfs prints on a line of its own, as bytes: a backing file's name need not be UTF-8, and only the
     * newline sysfs adds is taken off (a name may end in a space).
     */
    private static LinuxPath pathIn(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        int length = bytes.length > 0 && bytes[bytes.length - 1] == '\n' ? bytes.length - 1 : bytes.length;
        return LinuxPath.of(java.util.Arrays.copyOf(bytes, length));
    }

    private static long readLong(Path file) throws IOException {
        return Long.parseLong(Files.readString(file).strip());
    }
}
