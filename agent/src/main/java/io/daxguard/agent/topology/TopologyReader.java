package io.daxguard.agent.topology;

import io.daxguard.spi.DeviceNumber;
import java.io.IOException;
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

    public Topology read() throws IOException {
        return new Topology(readDevices(), MountTable.read(mountinfo));
    }

    /** The mountinfo text, to tell whether the mount table changed since a snapshot. */
    public String mountTableText() throws IOException {
        return Files.readString(mountinfo);
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
            loop = Optional.of(new BlockDevice.LoopBacking(Files.readString(backing).strip(),
                    readLong(entry.resolve("loop/offset"))));
        }
        return Optional.of(new BlockDevice(name, number, size, parent, start, loop));
    }

    private static long readLong(Path file) throws IOException {
        return Long.parseLong(Files.readString(file).strip());
    }
}
