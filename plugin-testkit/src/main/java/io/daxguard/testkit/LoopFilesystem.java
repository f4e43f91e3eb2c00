package io.daxguard.testkit;

import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.LinuxPath;
import io.daxguard.support.linux.FileStatus;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What the fixtures that make a real filesystem on a loop device share: the steps (attach an image to a loop
 * device, mkfs, mount), each pushing the step that undoes it onto one {@link Teardown}; the JUnit plumbing
 * (create before all tests, close after them); and the accessors of the mounted filesystem.
 *
 * <p>A subclass makes its own layers in {@code create()} inside {@link #makeOrUndo}, and says in
 * {@link #description()} what it is, for cleanup errors. Not thread-safe by itself: a subclass used from several
 * threads serialises its calls (as {@link FaultyDisk} does).
 */
abstract sealed class LoopFilesystem implements AutoCloseable, BeforeAllCallback, AfterAllCallback
        permits ScratchFilesystem, FaultyDisk {
    private final String type;
    private final long sizeBytes;
    private final List<String> mkfsOptions;
    private final Teardown teardown = new Teardown();
    private Path device;
    private Path mountPoint;
    private LinuxPath mountPointBytes;

    LoopFilesystem(String type, long sizeBytes, List<String> mkfsOptions) {
        this.type = type;
        this.sizeBytes = sizeBytes;
        this.mkfsOptions = List.copyOf(mkfsOptions);
    }

    /** Makes, attaches and mounts; undoes what it did if a step fails. */
    public abstract LoopFilesystem create() throws IOException;

    /** What this is, for the message of a failed cleanup. */
    abstract String description();

    /**
     * Runs {@code make}; if it fails, {@link #close()}s (undoing every step made so far) and rethrows, with what
     * the cleanup threw suppressed.
     */
    final void makeOrUndo(Teardown.Step make) throws IOException {
        Teardown.makeOrUndo(make, this::close);
    }

    /** Adds an undo step of the subclass's own making. */
    final void pushUndo(Teardown.Step step) {
        teardown.push(step);
    }

    /** Creates {@code file} as a sparse file of {@code length} bytes. */
    static Path sparseFile(Path file, long length) throws IOException {
        try (RandomAccessFile created = new RandomAccessFile(file.toFile(), "rw")) {
            created.setLength(length);
        }
        return file;
    }

    /** Attaches {@code image} to a free loop device ({@code losetup --find}); detached on close. */
    final Path attachLoop(Path image, String... losetupOptions) throws IOException {
        List<String> argv = new ArrayList<>(List.of("losetup", "--find", "--show"));
        argv.addAll(List.of(losetupOptions));
        argv.add(image.toString());
        String loop = Command.run(argv.toArray(String[]::new)).strip();
        teardown.push(() -> Command.run("losetup", "--detach", loop));
        return Path.of(loop);
    }

    /** Makes the filesystem on {@code device} and mounts it on a new directory {@code where}; unmounted on close. */
    final void formatAndMount(Path device, Path where) throws IOException {
        format(device);
        Path mounted = Files.createDirectory(where);
        mountPoint = mounted;
        mountPointBytes = LinuxPath.of(mounted);
        Command.run("mount", "-t", type, device.toString(), mounted.toString());
        teardown.push(() -> Teardown.unmount(mounted, "--lazy", "umount"));
    }

    /**
     * Makes the filesystem on {@code device} and mounts it on a new directory named {@code name} (any bytes) made
     * alone in the new directory {@code parent}; unmounted on close. The directory is made and mounted by its
     * bytes; {@link #mountPoint()} is then the JDK's {@link Path} read from {@code parent}'s listing, which keeps
     * the bytes for file operations but not in its text.
     */
    final void formatAndMount(Path device, Path parent, LinuxPath name) throws IOException {
        format(device);
        Files.createDirectory(parent);
        LinuxPath mounted = ByteNames.makeDirectory(LinuxPath.of(parent).join(name));
        try (java.util.stream.Stream<Path> listing = Files.list(parent)) {
            mountPoint = listing.findFirst().orElseThrow();
        }
        mountPointBytes = mounted;
        Command.run("sh", "-c", "mount -t " + type + " " + device + " " + ByteNames.shellWord(mounted));
        teardown.push(() -> {
            String word = ByteNames.shellWord(mounted);
            Command.run("sh", "-c", "umount " + word + " || umount --lazy " + word);
        });
    }

    private void format(Path device) throws IOException {
        this.device = device;
        List<String> mkfs = new ArrayList<>(List.of("mkfs." + type, "-q"));
        if (type.equals("xfs")) {
            mkfs.add("-f");
        }
        mkfs.addAll(mkfsOptions);
        mkfs.add(device.toString());
        Command.run(mkfs.toArray(String[]::new));
    }

    /** Makes {@link #mountPoint()} null: after close, for fixtures whose calls check that they are still open. */
    final void forgetMountPoint() {
        mountPoint = null;
        mountPointBytes = null;
    }

    /** Undoes every step, newest first, also after a half-done {@code create()}; touches only what it made. */
    @Override
    public void close() throws IOException {
        teardown.undo("cleaning up " + description());
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

    final long sizeBytes() {
        return sizeBytes;
    }

    /** Where the filesystem is mounted. */
    public Path mountPoint() {
        return mountPoint;
    }

    /** Where the filesystem is mounted, as the kernel has it (exact also when the name is not UTF-8). */
    public LinuxPath mountPointBytes() {
        return mountPointBytes;
    }

    /** A path inside the filesystem. */
    public Path path(String relative) {
        return mountPoint.resolve(relative);
    }

    /**
     * The block device the filesystem is on: the loop device, for example {@code /dev/loop3}, or for a
     * partitioned {@link ScratchFilesystem} its partition.
     */
    public Path device() {
        return device;
    }

    public DeviceNumber deviceNumber() throws IOException {
        return FileStatus.ofPath(device).rdev();
    }
}
