package io.daxguard.agent.source.scrub;

import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.Properties;

/**
 * Scrub positions under {@code <stateDirectory>/scrub/<filesystem-uuid>.position}, written atomically (a
 * temporary file, fsync, rename, fsync of the directory), so a crash leaves the old or the new position,
 * never a torn one. Properties text: {@code state}, {@code position}, {@code badRanges}, {@code badBytes},
 * {@code startedAt}.
 */
final class ScrubPositionStore {
    private final Path directory;

    ScrubPositionStore(Path stateDirectory) {
        this.directory = stateDirectory.resolve("scrub");
    }

    /** What was saved for a filesystem. */
    record Saved(ScrubState state, long position, long badRanges, long badBytes, String startedAt) {
    }

    Path fileOf(String uuid) {
        if (!uuid.matches("[A-Za-z0-9-]+")) {
            throw new IllegalArgumentException("not a filesystem UUID: " + uuid);
        }
        return directory.resolve(uuid + ".position");
    }

    void save(String uuid, Saved saved) throws IOException {
        Files.createDirectories(directory);
        Path target = fileOf(uuid);
        Path temporary = directory.resolve(uuid + ".position.tmp");
        String text = "state=" + saved.state().name() + "\nposition=" + saved.position() + "\nbadRanges="
                + saved.badRanges() + "\nbadBytes=" + saved.badBytes() + "\nstartedAt=" + saved.startedAt() + "\n";
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            channel.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
            channel.force(true);
        }
        Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel directoryChannel = FileChannel.open(directory, StandardOpenOption.READ)) {
            directoryChannel.force(true);
        }
    }

    Optional<Saved> load(String uuid) throws IOException {
        String text;
        try {
            text = Files.readString(fileOf(uuid));
        } catch (NoSuchFileException none) {
            return Optional.empty();
        }
        Properties properties = new Properties();
        properties.load(new StringReader(text));
        try {
            return Optional.of(new Saved(ScrubState.valueOf(properties.getProperty("state")),
                    Long.parseLong(properties.getProperty("position")),
                    Long.parseLong(properties.getProperty("badRanges", "0")),
                    Long.parseLong(properties.getProperty("badBytes", "0")),
                    properties.getProperty("startedAt", "")));
        } catch (RuntimeException e) {
            throw new IOException(fileOf(uuid) + " is not a scrub position (" + e.getMessage() + "); delete it to "
                    + "start over", e);
        }
    }

    void delete(String uuid) throws IOException {
        Files.deleteIfExists(fileOf(uuid));
    }
}
