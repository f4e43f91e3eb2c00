package io.daxguard.agent.demo;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.stream.Stream;

/**
 * Loop disks with fresh filesystems, in one temporary directory, undone in reverse order by {@link #close}
 * (unmount, detach, delete) even when the demo fails half way. Touches nothing it did not create.
 */
final class ScratchDisks implements AutoCloseable {
    private final Path directory;
    private final Deque<Undo> undo = new ArrayDeque<>();

    private interface Undo {
        void run() throws IOException;
    }

    /** One filesystem: its loop device (e.g. {@code loop5}) and where it is mounted. */
    record Disk(String device, Path mountPoint) {
    }

    ScratchDisks() throws IOException {
        directory = Files.createTempDirectory("daxguard-demo-");
        undo.push(() -> {
            try (Stream<Path> files = Files.walk(directory)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(file);
                }
            }
        });
    }

    /** Makes an image of {@code megabytes}, attaches it, runs {@code mkfs} and mounts it. */
    Disk filesystem(String name, long megabytes, String... mkfs) throws IOException {
        Path image = directory.resolve(name + ".img");
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
            file.setLength(megabytes << 20); // sparse
        }
        String loop = Shell.run("losetup", "--find", "--show", image.toString()).strip();
        undo.push(() -> Shell.run("losetup", "--detach", loop));
        String[] command = java.util.Arrays.copyOf(mkfs, mkfs.length + 1);
        command[mkfs.length] = loop;
        Shell.run(command);
        Path mountPoint = Files.createDirectories(directory.resolve(name));
        Shell.run("mount", loop, mountPoint.toString());
        undo.push(() -> Shell.run("umount", mountPoint.toString()));
        return new Disk(Path.of(loop).getFileName().toString(), mountPoint);
    }

    Path directory() {
        return directory;
    }

    @Override
    public void close() {
        while (!undo.isEmpty()) {
            try {
                undo.pop().run();
            } catch (IOException e) {
                System.err.println("daxguard demo: cleanup: " + e.getMessage());
            }
        }
    }
}
