package io.daxguard.agent.recovery;

import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.LinuxPath;
import io.daxguard.support.linux.FilesystemUuid;
import io.daxguard.support.linux.NativeCallException;
import io.daxguard.support.linux.NativeFile;
import java.util.Objects;

/**
 * The root directory of a damaged file's filesystem, held by a descriptor for the length of one action: every file
 * the action opens, moves or signals is reached from this descriptor ({@link FileOpener}), never by a path again, so
 * what is mounted at the mount point may change meanwhile without the action noticing a different filesystem.
 *
 * <p>An action opens it with {@link #ofRecordedFilesystem}: the filesystem's UUID, asked of the kernel through the
 * descriptor, must be the one the damage was recorded on. A copy of the filesystem (same files, same inodes and
 * generations, another UUID) mounted where the original was is refused before anything is read or written.
 */
final class FilesystemRoot implements AutoCloseable {
    private final LinuxPath mountPoint;
    private final NativeFile descriptor;
    private final DeviceNumber device;

    private FilesystemRoot(LinuxPath mountPoint, NativeFile descriptor, DeviceNumber device) {
        this.mountPoint = mountPoint;
        this.descriptor = descriptor;
        this.device = device;
    }

    /**
     * Opens the mount point, whatever filesystem it shows: for read-only identity checks (is the recorded name still
     * the file), where a different filesystem simply finds another file.
     */
    static FilesystemRoot ofWhateverIsMounted(LinuxPath mountPoint) throws NativeCallException {
        NativeFile descriptor = NativeFile.openDirectory(mountPoint);
        try {
            return new FilesystemRoot(mountPoint, descriptor, descriptor.status().device());
        } catch (NativeCallException | RuntimeException e) {
            descriptor.closeQuietly();
            throw e;
        }
    }

    /**
     * Opens the mount point and checks that it shows the filesystem with UUID {@code recordedUuid}.
     *
     * @throws IllegalStateException when another filesystem is mounted there, or its UUID cannot be read
     */
    static FilesystemRoot ofRecordedFilesystem(LinuxPath mountPoint, String recordedUuid) {
        Objects.requireNonNull(recordedUuid, "recordedUuid is null");
        FilesystemRoot root;
        try {
            root = ofWhateverIsMounted(mountPoint);
        } catch (NativeCallException e) {
            throw new IllegalStateException("refused: cannot open the mount point " + mountPoint + ": "
                    + e.getMessage() + "; nothing written");
        }
        try {
            root.requireUuid(recordedUuid);
            return root;
        } catch (RuntimeException e) {
            root.close();
            throw e;
        }
    }

    /**
     * The UUID through the descriptor: {@code FS_IOC_GETFSUUID} (the VFS's, any filesystem), else ext4's own
     * (what ext4 records, and what changes with an online {@code tune2fs -U}); either matching is the filesystem.
     */
    private void requireUuid(String recordedUuid) {
        String seen = null;
        NativeCallException unreadable = null;
        for (int ask = 0; ask < 2; ask++) {
            try {
                String uuid = ask == 0 ? FilesystemUuid.of(descriptor) : FilesystemUuid.ofExt4(descriptor);
                if (uuid.equalsIgnoreCase(recordedUuid)) {
                    return;
                }
                seen = seen == null ? uuid : seen;
            } catch (NativeCallException e) {
                unreadable = unreadable == null ? e : unreadable;
            }
        }
        if (seen == null) {
            throw new IllegalStateException("refused: cannot tell which filesystem is mounted at " + mountPoint
                    + " (its UUID cannot be read: " + unreadable.getMessage() + "); the damage was recorded on "
                    + recordedUuid + "; nothing written");
        }
        throw new IllegalStateException("refused: the filesystem mounted at " + mountPoint + " now has UUID " + seen
                + ", not " + recordedUuid + " the damage was recorded on (another filesystem, or a copy of it); "
                + "nothing written");
    }

    LinuxPath mountPoint() {
        return mountPoint;
    }

    /** The root directory's descriptor; owned by this object. */
    NativeFile descriptor() {
        return descriptor;
    }

    /** The device of the filesystem, as the descriptor shows it. */
    DeviceNumber device() {
        return device;
    }

    @Override
    public void close() {
        descriptor.closeQuietly();
    }
}
