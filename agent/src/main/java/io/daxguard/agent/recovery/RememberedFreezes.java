package io.daxguard.agent.recovery;

import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.LinuxPath;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Properties;

/**
 * daxguard's freezes, kept on disk so that they outlive the agent (a restart, an upgrade, {@code kill -9}): one small
 * file per freeze in {@code <state directory>/frozen}, written (atomically, fsynced with its directory) before the
 * {@code FIFREEZE} and removed after the thaw. The state directory is never on a filesystem daxguard freezes (that
 * freeze is refused), so writing here never waits on a freeze of daxguard's own.
 *
 * <p>Threads: called under the filesystem's lock of {@link KernelFilesystemProtection} (one action at a time per
 * filesystem; different filesystems have different files), and once at construction.
 */
final class RememberedFreezes {
    private static final System.Logger LOG = System.getLogger(RememberedFreezes.class.getName());
    private static final String SUFFIX = ".freeze";

    /** One freeze: which filesystem (UUID on device, where it was mounted), when, by whom. */
    record Freeze(String uuid, DeviceNumber device, LinuxPath mountPoint, Instant at, String principal) {
        Freeze {
            Objects.requireNonNull(uuid, "uuid is null");
            Objects.requireNonNull(device, "device is null");
            Objects.requireNonNull(mountPoint, "mountPoint is null");
            Objects.requireNonNull(at, "at is null");
            Objects.requireNonNull(principal, "principal is null");
        }

        /** The file's name: the UUID (only its letters, digits and dashes) and the device. */
        String fileName() {
            return uuid.replaceAll("[^A-Za-z0-9-]", "_") + "@" + device.major() + "-" + device.minor() + SUFFIX;
        }
    }

    private final Path directory;

    RememberedFreezes(Path stateDirectory) {
        this.directory = Objects.requireNonNull(stateDirectory, "stateDirectory is null").resolve("frozen");
    }

    Path directory() {
        return directory;
    }

    /** Keeps {@code freeze} durably; an {@link IOException} means it is not kept (and nothing should be frozen). */
    void remember(Freeze freeze) throws IOException {
        Files.createDirectories(directory);
        Properties properties = new Properties();
        properties.setProperty("uuid", freeze.uuid());
        properties.setProperty("device", freeze.device().toString());
        // Mount points are bytes (LinuxPath): kept as hex so that no name is changed by an encoding.
        properties.setProperty("mountPoint", HexFormat.of().formatHex(freeze.mountPoint().bytes()));
        properties.setProperty("at", freeze.at().toString());
        properties.setProperty("principal", freeze.principal());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        properties.store(bytes, "a filesystem frozen by daxguard; removed when daxguard thaws it");
        Path target = directory.resolve(freeze.fileName());
        Path temporary = directory.resolve(freeze.fileName() + ".tmp");
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes.toByteArray());
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
        try {
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
        }
        syncDirectory();
    }

    /** Removes the freeze's file; a failure is logged (the next start finds it and checks it again). */
    void forget(Freeze freeze) {
        forget(freeze.fileName());
    }

    private void forget(String fileName) {
        try {
            if (Files.deleteIfExists(directory.resolve(fileName))) {
                syncDirectory();
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot forget the freeze kept in " + directory.resolve(fileName)
                    + ": " + e + "; the next start checks it again");
        }
    }

    /** Every freeze kept; a file that cannot be read is logged and removed (it names nothing daxguard can thaw). */
    List<Freeze> load() {
        List<Freeze> freezes = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*" + SUFFIX)) {
            for (Path file : files) {
                try {
                    freezes.add(read(file));
                } catch (IOException | RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "a kept freeze cannot be read, dropped: " + file + ": " + e);
                    forget(file.getFileName().toString());
                }
            }
        } catch (NoSuchFileException none) {
            return List.of();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot read the kept freezes in " + directory + ": " + e);
        }
        return freezes;
    }

    /**
     * At start: the freezes an earlier agent made and did not undo. Each whose filesystem is still mounted where it
     * was, with its UUID on its device, is returned (daxguard's again: shown, thawed with daxguard thaw, thawed by a
     * shutdown) and said once as a WARNING; any other is dropped, with a log line.
     */
    List<Freeze> reload() {
        List<Freeze> held = new ArrayList<>();
        for (Freeze freeze : load()) {
            String gone;
            try (FilesystemRoot root = FilesystemRoot.ofRecordedFilesystem(freeze.mountPoint(), freeze.uuid())) {
                gone = root.device().equals(freeze.device()) ? null : "it is on device " + root.device() + " now";
            } catch (IllegalStateException e) {
                gone = e.getMessage();
            }
            if (gone != null) {
                LOG.log(System.Logger.Level.INFO, "freeze of " + freeze.mountPoint().display() + " (uuid "
                        + freeze.uuid() + " on " + freeze.device() + ") by " + freeze.principal() + " at "
                        + freeze.at() + " dropped: that filesystem is not mounted there now (" + gone + ")");
                forget(freeze);
                continue;
            }
            held.add(freeze);
            LOG.log(System.Logger.Level.WARNING, freeze.mountPoint().display() + " is still frozen by daxguard since "
                    + freeze.at() + " (by " + freeze.principal() + ", before this agent started): every write to it "
                    + "waits; thaw it with daxguard thaw " + freeze.mountPoint().display() + " (the Filesystem "
                    + "MBean's thaw())");
        }
        return held;
    }

    private static Freeze read(Path file) throws IOException {
        Properties properties = new Properties();
        properties.load(new ByteArrayInputStream(Files.readAllBytes(file)));
        return new Freeze(required(properties, "uuid"), DeviceNumber.parse(required(properties, "device")),
                LinuxPath.of(HexFormat.of().parseHex(required(properties, "mountPoint"))),
                Instant.parse(required(properties, "at")), required(properties, "principal"));
    }

    private static String required(Properties properties, String key) {
        String value = properties.getProperty(key);
        if (value == null) {
            throw new IllegalArgumentException("no " + key);
        }
        return value;
    }

    /** The rename and the removal are durable once the directory is. */
    private void syncDirectory() throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
