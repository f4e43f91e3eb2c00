package io.daxguard.testkit.conformance;

import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.LinuxPath;
import io.daxguard.spi.Mount;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.FaultyDisk;
import io.daxguard.testkit.ScratchFilesystem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The mounted filesystem a conformance suite runs on: a {@link ScratchFilesystem} or a {@link FaultyDisk} the
 * subclass made, seen through what the suite needs (mount point, device, the mount record as the agent reads it,
 * unmounting and mounting again). Closing it closes the fixture, which undoes everything it made.
 */
public final class ConformanceFilesystem implements AutoCloseable {
    private final String type;
    private final Path mountPoint;
    private final Path device;
    private final Fixture fixture;

    /** What closes the fixture behind it. */
    @FunctionalInterface
    private interface Fixture {
        void close() throws IOException;
    }

    private ConformanceFilesystem(String type, Path mountPoint, Path device, Fixture fixture) {
        this.type = Objects.requireNonNull(type, "type is null");
        this.mountPoint = Objects.requireNonNull(mountPoint, "mountPoint is null (is the fixture created?)");
        this.device = Objects.requireNonNull(device, "device is null (is the fixture created?)");
        this.fixture = fixture;
    }

    /** A created scratch filesystem; the suite closes it. */
    public static ConformanceFilesystem of(ScratchFilesystem created) {
        return new ConformanceFilesystem(created.type(), created.mountPoint(), created.device(), created::close);
    }

    /** A created faulty disk; the suite closes it. */
    public static ConformanceFilesystem of(FaultyDisk created) {
        return new ConformanceFilesystem(created.type(), created.mountPoint(), created.device(), created::close);
    }

    /**
     * A filesystem another fixture made and mounted, closed by {@code fixture}: one over several devices (a btrfs
     * with a device added to a scratch filesystem), where closing the first device's fixture alone would leave the
     * others behind.
     *
     * @param type       the filesystem type, as mountinfo names it
     * @param mountPoint where it is mounted
     * @param device     the device {@link #mountAgain()} mounts it from (any member of a multi-device btrfs)
     * @param fixture    undoes everything made for it (unmounts, detaches, deletes)
     */
    public static ConformanceFilesystem of(String type, Path mountPoint, Path device, AutoCloseable fixture) {
        Objects.requireNonNull(fixture, "fixture is null");
        return new ConformanceFilesystem(type, mountPoint, device, () -> {
            try {
                fixture.close();
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException("closing " + type + " at " + mountPoint, e);
            }
        });
    }

    /** The filesystem type, as mountinfo names it. */
    public String type() {
        return type;
    }

    public Path mountPoint() {
        return mountPoint;
    }

    /** The block device the filesystem is on (for {@code dumpe2fs}, {@code xfs_db}...). */
    public Path device() {
        return device;
    }

    /** A path inside the filesystem. */
    public Path path(String relative) {
        return mountPoint.resolve(relative);
    }

    /** The mount record of the filesystem now, read from {@code /proc/self/mountinfo} as the agent reads it. */
    public Mount mount() throws IOException {
        return mountAt(mountPoint);
    }

    private static Mount mountAt(Path mountPoint) throws IOException {
        for (String line : mountinfo()) {
            String[] fields = line.split(" ");
            if (fields[4].equals(mountPoint.toString())) {
                int separator = List.of(fields).indexOf("-");
                return new Mount(Integer.parseInt(fields[0]), DeviceNumber.parse(fields[2]), fields[3],
                        LinuxPath.of(mountPoint), fields[separator + 1], fields[separator + 2],
                        fields[5] + "," + fields[separator + 3]);
            }
        }
        throw new IOException(mountPoint + " is not in /proc/self/mountinfo");
    }

    /**
     * The lines of {@code /proc/self/mountinfo}, a byte per char: Linux names are bytes, and another mount's may be
     * no UTF-8 (the fixture's own mount points are ASCII, so they compare as text).
     */
    private static List<String> mountinfo() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.ISO_8859_1);
    }

    /** Whether the filesystem is mounted on its mount point now. */
    public boolean isMounted() throws IOException {
        for (String line : mountinfo()) {
            if (line.split(" ")[4].equals(mountPoint.toString())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Unmounts as an administrator does ({@code umount}, not lazily): the result says whether it worked, and the
     * error (EBUSY: "target is busy") when not.
     */
    public Command.Result tryUnmount() throws IOException {
        return Command.tryRun("umount", mountPoint.toString());
    }

    /** Mounts the filesystem again where it was, after {@link #tryUnmount()}; nothing when it is still mounted. */
    public void mountAgain() throws IOException {
        if (!isMounted()) {
            Command.run("mount", "-t", type, device.toString(), mountPoint.toString());
        }
    }

    /** The device's size in bytes, from sysfs: the end of every window a whole-device scan uses. */
    public long deviceSize() throws IOException {
        Path sectors = Path.of("/sys/class/block", device.getFileName().toString(), "size");
        return Long.parseLong(Files.readString(sectors).strip()) * 512;
    }

    /** The size in bytes of a block device by its number (a member device), from sysfs. */
    public static long deviceSize(DeviceNumber device) throws IOException {
        Path sectors = Path.of("/sys/dev/block", device.toString(), "size");
        return Long.parseLong(Files.readString(sectors).strip()) * 512;
    }

    /** A bind mount of a subdirectory of this filesystem, on a new directory; {@link #close()} undoes both. */
    public final class BindMount implements AutoCloseable {
        private final Path target;

        private BindMount(Path target) {
            this.target = target;
        }

        /** Its mount record: the same device, with the subdirectory as root. */
        public Mount mount() throws IOException {
            return mountAt(target);
        }

        @Override
        public void close() throws IOException {
            try {
                Command.run("umount", target.toString());
            } finally {
                Files.deleteIfExists(target);
            }
        }
    }

    /** Bind-mounts {@code subdirectory} (made if missing) on a new temporary directory. */
    public BindMount bindMount(String subdirectory) throws IOException {
        Files.createDirectories(path(subdirectory));
        Path target = Files.createTempDirectory("daxguard-conformance-bind-");
        try {
            Command.run("mount", "--bind", path(subdirectory).toString(), target.toString());
        } catch (IOException e) {
            Files.deleteIfExists(target);
            throw e;
        }
        return new BindMount(target);
    }

    /** Closes the fixture: unmounts, detaches, deletes what it made. */
    @Override
    public void close() throws IOException {
        try {
            mountAgain(); // the fixture's teardown unmounts it: a check that left it unmounted must not fail teardown
        } finally {
            fixture.close();
        }
    }

    @Override
    public String toString() {
        return type + " on " + device + " at " + mountPoint;
    }
}
