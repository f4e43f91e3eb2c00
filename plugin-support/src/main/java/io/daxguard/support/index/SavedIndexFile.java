package io.daxguard.support.index;

import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.LinuxPath;
import io.daxguard.spi.PluginContext;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Where one filesystem's index is kept between runs of the agent: {@code <directory>/index-<uuid>-<device>.bin}, in the
 * plugin's private state directory ({@link PluginContext#stateDirectory()}). Handed to a {@link LiveReverseMap}
 * through {@link IndexOptions#withSavedIndex}: the map saves every index it finishes building and, at start, loads
 * the saved one so it is ready at once while a catch-up build runs.
 *
 * <p>Saving is atomic (a temporary file in the same directory, fsync, rename over the old one, fsync of the
 * directory), so a crash leaves the old index or the new one. Loading ignores, with one log line, a file that is
 * missing, unreadable, larger than {@link #MAX_BYTES}, truncated, of another format version, whose checksum does not
 * match, or that belongs to another filesystem (UUID) or another device (major:minor; a copy of the filesystem on
 * another disk has the same UUID): the map then builds from scratch. A loaded index only proposes owners like any
 * other, each confirmed against the live file, so even a wrong one could not name a wrong owner.
 */
public final class SavedIndexFile {
    /** The largest file read back (an index of ~30 million extents); a larger one is ignored unread. */
    public static final long MAX_BYTES = 1L << 30;
    private static final Pattern UUID = Pattern.compile("[0-9a-f][0-9a-f-]{0,63}");

    private final Path directory;
    private final String uuid;
    private final DeviceNumber device;
    /**
     * What the last load or save could not do, for the filesystem's status line (the log says it once, and an
     * administrator reading the MBean or {@code daxguard status} later would not see it); empty when it went well.
     * Written by the build thread, read by any question: volatile.
     */
    private volatile String problem = "";

    private SavedIndexFile(Path directory, String uuid, DeviceNumber device) {
        this.directory = Objects.requireNonNull(directory, "directory is null");
        this.uuid = Objects.requireNonNull(uuid, "uuid is null");
        this.device = Objects.requireNonNull(device, "device is null");
        if (!UUID.matcher(uuid).matches()) {
            throw new IllegalArgumentException("not a filesystem UUID (lower-case hex and dashes): \"" + uuid + "\"");
        }
    }

    /** The saved index of filesystem {@code uuid} on {@code device}, kept in {@code directory}. */
    public static SavedIndexFile in(Path directory, String uuid, DeviceNumber device) {
        return new SavedIndexFile(directory, uuid, device);
    }

    /**
     * As {@link #in}, in the plugin's state directory; empty when the agent gives the plugin none, or the UUID is not
     * one a file may be named after.
     */
    public static Optional<SavedIndexFile> of(PluginContext context, String uuid, DeviceNumber device) {
        if (!UUID.matcher(uuid).matches()) {
            return Optional.empty();
        }
        return context.stateDirectory().map(directory -> in(directory, uuid, device));
    }

    /**
     * {@code index-<uuid>-<major>.<minor>.bin}: copies of one filesystem (same UUID) held at once on several devices
     * keep an index each instead of overwriting one another's.
     */
    public Path path() {
        return directory.resolve("index-" + uuid + "-" + device.major() + "." + device.minor() + ".bin");
    }

    /** What the last load or save of this file could not do; empty when it went well. */
    public String problem() {
        return problem;
    }

    /**
     * The saved index, rooted at {@code root} (the filesystem may be mounted elsewhere now: names are kept relative);
     * empty, after one log line saying why, when there is none that can be used.
     *
     * @param startedNanos what the index reports as {@link ExtentIndex#startedNanos()}: before any question this run
     */
    Optional<ExtentIndex> load(LinuxPath root, long startedNanos, System.Logger logger) {
        Path file = path();
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            if (!attributes.isRegularFile()) {
                throw new IOException("not a regular file");
            }
            if (attributes.size() > MAX_BYTES) {
                throw new IOException(attributes.size() + " bytes, more than the " + MAX_BYTES + " read back");
            }
            long heap = Runtime.getRuntime().maxMemory();
            if (attributes.size() > HeapBudget.largestLoadableIndex(heap)) {
                throw new IOException(attributes.size() + " bytes, more than half of what a heap of " + (heap >> 20)
                        + " MiB leaves the indexes (DAXGUARD_HEAP)");
            }
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
                SavedIndexFormat.Input in = new SavedIndexFormat.Input(channel, attributes.size());
                SavedIndexFormat.Header header = SavedIndexFormat.readHeader(in);
                if (!header.uuid().equals(uuid)) {
                    throw new IOException("it is the index of filesystem " + header.uuid());
                }
                if (!header.device().equals(device)) {
                    throw new IOException("it was saved for device " + header.device() + ", the filesystem is on "
                            + device + " now");
                }
                ExtentIndex index = SavedIndexFormat.readIndex(in, header, root, startedNanos,
                        Duration.ofNanos(System.nanoTime() - startedNanos));
                logger.log(System.Logger.Level.INFO, "loaded the saved reverse-map index of " + root + " (saved "
                        + Instant.ofEpochMilli(header.savedAtMillis()) + "): " + index.fileCount() + " files, "
                        + index.extentCount() + " extents in " + index.buildTime().toMillis()
                        + " ms; catching up with changes made since");
                problem = "";
                return Optional.of(index);
            }
        } catch (NoSuchFileException e) {
            logger.log(System.Logger.Level.INFO, "no saved reverse-map index of " + root + " (" + file
                    + "): building it");
        } catch (IOException | RuntimeException e) {
            logger.log(System.Logger.Level.WARNING, "ignoring the saved reverse-map index of " + root + " (" + file
                    + "): " + e.getMessage() + "; building it from scratch");
            problem = "the saved index " + file + " was not used: " + e.getMessage();
        }
        return Optional.empty();
    }

    /**
     * Saves {@code index} atomically over the previous one. Never throws: a failure (a full disk, a read-only state
     * directory) is one log line, and the next start builds from scratch or from an older index.
     */
    void save(ExtentIndex index, System.Logger logger) {
        Path temporary = directory.resolve("." + path().getFileName() + ".tmp");
        long started = System.nanoTime();
        try {
            Files.deleteIfExists(temporary);
            try (FileChannel channel = FileChannel.open(temporary, Set.of(StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
                SavedIndexFormat.write(channel, new SavedIndexFormat.Header(uuid, device, index.rootInode(),
                        index.buildTime(), System.currentTimeMillis()), index);
                channel.force(true);
            }
            Files.move(temporary, path(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel directoryChannel = FileChannel.open(directory, StandardOpenOption.READ)) {
                directoryChannel.force(true);
            }
            logger.log(System.Logger.Level.DEBUG, "saved the reverse-map index of " + index.root() + " to " + path()
                    + " (" + Files.size(path()) + " bytes) in " + (System.nanoTime() - started) / 1_000_000 + " ms");
            removeSupersededOnThisDevice(logger);
            problem = "";
        } catch (IOException | RuntimeException e) {
            logger.log(System.Logger.Level.WARNING, "could not save the reverse-map index of " + index.root() + " to "
                    + path() + ": " + e.getMessage() + "; the next start builds it again");
            problem = "not saved to " + path() + ": " + e.getMessage() + "; the next start builds it in full";
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException ignored) {
                // The failure is logged already; a leftover temporary file is replaced by the next save.
            }
        }
    }

    /**
     * Deletes the saved indexes of other filesystems on this device: this filesystem replaced them there (re-made, or
     * the disk swapped), so nothing will load them again, and without this each re-made filesystem would leave one
     * file behind for good. Those of other devices stay (a copy of this filesystem, or another one, may be held there).
     */
    private void removeSupersededOnThisDevice(System.Logger logger) {
        String suffix = "-" + device.major() + "." + device.minor() + ".bin";
        String own = path().getFileName().toString();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "index-*" + suffix)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                String otherUuid = name.substring("index-".length(), name.length() - suffix.length());
                if (!name.equals(own) && UUID.matcher(otherUuid).matches()) {
                    Files.deleteIfExists(file);
                    logger.log(System.Logger.Level.INFO, "removed " + file + ": filesystem " + otherUuid
                            + " is no longer on device " + device + " (" + uuid + " is)");
                }
            }
        } catch (IOException | RuntimeException e) {
            logger.log(System.Logger.Level.WARNING, "could not remove the saved indexes of earlier filesystems on "
                    + "device " + device + " from " + directory + ": " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return path().toString();
    }
}
