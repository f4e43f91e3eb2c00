package io.daxguard.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A btrfs with data, metadata and system chunks in one profile (raid1, raid0...) over two loop devices: the filesystem a
 * testkit fixture made and mounted on its device (a {@link FaultyDisk} or a {@link ScratchFilesystem}), a second loop
 * device over a sparse image of its own added to it, and a balance converting every chunk, committed. The btrfs
 * plugin's tests and the agent's share it. {@link #close()} undoes it all, newest first, also after a half-done
 * {@link #create}: the first fixture (which unmounts), then the second device is forgotten by btrfs, detached and
 * its image deleted.
 */
public final class TwoDeviceBtrfs implements AutoCloseable {
    private final AutoCloseable first;
    private final Path mountPoint;
    private final Path firstDevice;
    private final Teardown undo = new Teardown();
    private Path secondDevice;

    /**
     * @param first       the fixture holding the first device, already created (closing it unmounts)
     * @param mountPoint  where it mounted the filesystem
     * @param firstDevice its device
     */
    public TwoDeviceBtrfs(AutoCloseable first, Path mountPoint, Path firstDevice) {
        this.first = first;
        this.mountPoint = mountPoint;
        this.firstDevice = firstDevice;
    }

    /**
     * Adds the second device and converts every chunk to {@code profile} ({@code raid1}, {@code raid0}; metadata
     * and system chunks to raid1 when data is raid0, as an administrator would); undoes everything if a step fails.
     */
    public TwoDeviceBtrfs create(String profile, long sizeBytes) throws IOException {
        Teardown.makeOrUndo(() -> {
            Path directory = Files.createTempDirectory("daxguard-btrfs-second-");
            undo.push(() -> Files.deleteIfExists(directory));
            Path image = LoopFilesystem.sparseFile(directory.resolve("second.img"), sizeBytes);
            undo.push(() -> Files.deleteIfExists(image));
            String loop = Command.run("losetup", "--find", "--show", image.toString()).strip();
            undo.push(() -> Command.run("losetup", "--detach", loop));
            // After the unmount btrfs still lists the device as scanned; forget it before detaching.
            undo.push(() -> Command.tryRun("btrfs", "device", "scan", "--forget", loop));
            secondDevice = Path.of(loop);
            Command.run("btrfs", "device", "add", "-f", loop, mountPoint.toString());
            String metadata = profile.equals("raid0") ? "raid1" : profile;
            Command.run("btrfs", "balance", "start", "-f", "-dconvert=" + profile, "-mconvert=" + metadata,
                    "-sconvert=" + metadata, mountPoint.toString());
            Command.run("btrfs", "filesystem", "sync", mountPoint.toString());
        }, this::close);
        return this;
    }

    public Path mountPoint() {
        return mountPoint;
    }

    public Path path(String relative) {
        return mountPoint.resolve(relative);
    }

    public Path firstDevice() {
        return firstDevice;
    }

    public Path secondDevice() {
        return secondDevice;
    }

    /**
     * Unmounts (the first device's fixture) before anything else, then undoes every step of {@link #create}, newest
     * first: the second device is forgotten and detached only once the filesystem is no longer mounted. Every step
     * runs even when an earlier one fails.
     */
    @Override
    public void close() throws IOException {
        String what = "cleaning up the two-device btrfs on " + mountPoint;
        IOException failure = null;
        try {
            first.close();
        } catch (Exception e) {
            failure = new IOException(what, e);
        }
        try {
            undo.undo(what);
        } catch (IOException e) {
            if (failure == null) {
                throw e;
            }
            failure.addSuppressed(e);
        }
        if (failure != null) {
            throw failure;
        }
    }
}
