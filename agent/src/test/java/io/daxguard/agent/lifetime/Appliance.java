package io.daxguard.agent.lifetime;

import io.daxguard.testkit.Command;
import io.daxguard.testkit.Privileges;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The disks and mounts of an appliance that lives through {@link ApplianceLifetimeTest}: image files, loop devices
 * and mount points in one fresh directory, changed as an administrator changes them (mkfs again, a disk swapped
 * under the same loop device, a filesystem mounted elsewhere).
 *
 * <p>{@link #close()} undoes what is left, also after a failure half way: it unmounts every mount it made that is
 * still mounted, detaches every loop device still attached to one of its images, and deletes the directory. It
 * touches nothing it did not make: a loop device is detached only while its backing file is one of its images.
 */
final class Appliance implements AutoCloseable {
    private final Path directory;
    private final Deque<Path> mounted = new ArrayDeque<>();
    private final Map<Path, Path> attached = new LinkedHashMap<>(); // loop device -> image

    private Appliance(Path directory) {
        this.directory = directory;
    }

    static Appliance create() throws IOException {
        Privileges.requireRootLoopAnd("losetup", "mount", "umount", "mkfs.xfs", "mkfs.ext4", "blkid", "xfs_io",
                "xfs_db", "debugfs", "dumpe2fs", "filefrag", "findmnt", "find", "stat");
        // Not under java.io.tmpdir: the agents of other tests watch it, and an ext4 holder keeps its device open.
        return new Appliance(Files.createTempDirectory(Files.createDirectories(Path.of("/var/tmp")),
                "daxguard-lifetime-"));
    }

    /** The directory everything lives in; the agent watches it. */
    Path directory() {
        return directory;
    }

    /** A new sparse image file of {@code mebibytes}. */
    Path image(String name, long mebibytes) throws IOException {
        Path image = directory.resolve(name);
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
            file.setLength(mebibytes << 20);
        }
        return image;
    }

    /** Attaches {@code image} to a free loop device. */
    Path attach(Path image) throws IOException {
        Path loop = Path.of(Command.run("losetup", "--find", "--show", image.toString()).strip());
        attached.put(loop, image);
        return loop;
    }

    /**
     * Attaches {@code image} to {@code loop}, which must be free (detached before): the same device name with
     * another disk behind it. Fails, rather than takes another device, when something else took it meanwhile.
     */
    void attachAt(Path loop, Path image) throws IOException {
        Command.run("losetup", loop.toString(), image.toString());
        attached.put(loop, image);
    }

    /**
     * Detaches {@code loop} and waits until the kernel has let it go (no backing file left). A device still open
     * elsewhere (an agent of another test that held the filesystem) is only marked to go at its last close, which
     * is waited for, 30 s at most.
     */
    void detach(Path loop) throws IOException {
        Command.run("losetup", "--detach", loop.toString());
        attached.remove(loop);
        java.time.Instant deadline = java.time.Instant.now().plusSeconds(30);
        while (Files.exists(backingFileEntry(loop))) {
            if (java.time.Instant.now().isAfter(deadline)) {
                throw new IOException(loop + " still has a backing file 30 s after losetup --detach: " + Command.tryRun(
                        "fuser", "-v", loop.toString()).stderr());
            }
            java.util.concurrent.locks.LockSupport.parkNanos(100_000_000L); // the kernel signals no last close
        }
    }

    /** Makes an XFS (reverse-map btree, reflink) or an ext4 on {@code device}, a new UUID each time. */
    static void mkfs(String type, Path device) throws IOException {
        if (type.equals("xfs")) {
            Command.run("mkfs.xfs", "-q", "-f", "-m", "rmapbt=1,reflink=1", device.toString());
        } else {
            Command.run("mkfs." + type, "-q", "-F", device.toString());
        }
    }

    /** Mounts {@code device} on a new directory {@code name} of the appliance. */
    Path mount(Path device, String type, String name) throws IOException {
        Path where = Files.createDirectories(directory.resolve(name));
        Command.run("mount", "-t", type, device.toString(), where.toString());
        mounted.push(where);
        return where;
    }

    void unmount(Path where) throws IOException {
        Command.run("umount", where.toString());
        mounted.remove(where);
    }

    @Override
    public void close() throws IOException {
        List<Exception> failures = new ArrayList<>();
        while (!mounted.isEmpty()) {
            Path where = mounted.pop();
            if (Command.tryRun("umount", where.toString()).exitCode() != 0) {
                attempt(failures, () -> Command.run("umount", "--lazy", where.toString()));
            }
        }
        for (Map.Entry<Path, Path> loop : attached.entrySet()) {
            attempt(failures, () -> {
                Path backing = backingFileEntry(loop.getKey());
                if (Files.exists(backing) && Path.of(Files.readString(backing).strip()).equals(loop.getValue())) {
                    Command.run("losetup", "--detach", loop.getKey().toString());
                }
            });
        }
        attached.clear();
        attempt(failures, this::deleteDirectory);
        if (!failures.isEmpty()) {
            IOException failed = new IOException("cleaning up the appliance in " + directory, failures.get(0));
            failures.stream().skip(1).forEach(failed::addSuppressed);
            throw failed;
        }
    }

    private void deleteDirectory() throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    private static Path backingFileEntry(Path loop) {
        return Path.of("/sys/block", loop.getFileName().toString(), "loop", "backing_file");
    }

    @FunctionalInterface
    private interface Step {
        void run() throws Exception;
    }

    private static void attempt(List<Exception> failures, Step step) {
        try {
            step.run();
        } catch (Exception e) {
            failures.add(e);
        }
    }
}
