package io.daxguard.ext4;

import io.daxguard.spi.Mount;
import io.daxguard.support.linux.FileStatus;
import io.daxguard.support.linux.NativeCallException;
import io.daxguard.support.linux.NativeFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The block device under an ext4 mount, read for what GETFSMAP does not name (inode tables, extent-tree blocks, the
 * journal inode). It is opened for each read, or once for a whole inode-table scan ({@link #session}), and closed
 * after: a descriptor kept open for the holder's life made the device busy after the administrator's
 * {@code umount} until the agent noticed it, so deleting its partition ({@code partx -d}) or detaching its loop
 * device failed meanwhile.
 */
final class Ext4Device {
    private final Mount mount;
    /** Where the device is, once found. */
    private Path path;
    /** The descriptor of a scan in progress on this thread, read through instead of opening one per read. */
    private final ThreadLocal<NativeFile> session = new ThreadLocal<>();

    Ext4Device(Mount mount) {
        this.mount = mount;
    }

    /** Runs {@code reads} with the device open once for all of them (an inode-table scan). */
    <T> T session(IoSupplier<T> reads) throws IOException {
        if (session.get() != null) {
            return reads.get();
        }
        try (NativeFile device = open()) {
            session.set(device);
            return reads.get();
        } finally {
            session.remove();
        }
    }

    /** {@code length} bytes at {@code offset} of the device. */
    byte[] read(long offset, int length) throws IOException {
        NativeFile open = session.get();
        if (open != null) {
            return Ext4Geometry.readBytes(open, offset, length);
        }
        try (NativeFile device = open()) {
            return Ext4Geometry.readBytes(device, offset, length);
        }
    }

    /** Reads that may fail with an {@link IOException}. */
    @FunctionalInterface
    interface IoSupplier<T> {
        T get() throws IOException;
    }

    /**
     * The device, opened read-only: found once (the mount's source when it is that device, else by its number) and
     * opened by that path for each read, checked to be the mount's device still (a path may be re-used).
     */
    NativeFile open() throws IOException {
        Path path = devicePath();
        NativeFile device = NativeFile.openReadOnly(path);
        try {
            if (!device.status().rdev().equals(mount.device())) {
                throw new IOException(path + " is no longer the device " + mount.device() + " of "
                        + mount.mountPoint());
            }
            return device;
        } catch (IOException | RuntimeException e) {
            device.close();
            throw e;
        }
    }

    /** Where the device is, looked up on the first read only (a statx of the source, or sysfs). */
    private synchronized Path devicePath() throws IOException {
        if (path == null) {
            path = findDevice();
        }
        return path;
    }

    private Path findDevice() throws IOException {
        Path source = Path.of(mount.source());
        if (source.isAbsolute()) {
            try {
                FileStatus status = FileStatus.ofPath(source);
                if (status.isBlockDevice() && status.rdev().equals(mount.device())) {
                    return source;
                }
            } catch (NativeCallException e) {
                // fall back to the sysfs-style name
            }
        }
        // Without udev there is no /dev/block/M:m; the kernel's own name for the device is in sysfs.
        Path byNumber = Path.of("/dev/block/" + mount.device());
        if (!Files.exists(byNumber)) {
            for (String line : Files.readAllLines(Path.of("/sys/dev/block/" + mount.device() + "/uevent"))) {
                if (line.startsWith("DEVNAME=")) {
                    Path named = Path.of("/dev", line.substring("DEVNAME=".length()));
                    if (FileStatus.ofPath(named).rdev().equals(mount.device())) {
                        return named;
                    }
                }
            }
        }
        return byNumber;
    }
}
