package io.daxguard.agent.source.kmsg;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * Where the kernel log source got to, kept in the state directory ({@code kmsg.cursor}: the boot id and the sequence
 * number of the last record whose failures are durable), so that no kernel error is lost across a restart or a
 * crash: in the same boot the log is read again from there; after a reboot the whole retained log is read once (the
 * records of the boot the cursor was saved in are gone, and the new boot's have not been read). A state directory
 * that never had a cursor starts where the configuration says (the log's end by default).
 *
 * <p>Saved only when what the records before it produced is durable (the caller waits for the pipeline to be idle
 * first), written to a temporary file, synced and renamed, so a crash leaves the old cursor or the new one, never a
 * torn one. A replay after a crash may read records whose failures were recorded already: the router knows them.
 */
public final class KmsgCursor {
    private static final System.Logger LOG = System.getLogger(KmsgCursor.class.getName());
    private static final Path BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");

    /** Where reading starts. */
    sealed interface Start {
        /** At the log's end: only what the kernel logs from now on. */
        record End() implements Start {
        }

        /** At the oldest record the kernel still keeps. */
        record Oldest() implements Start {
        }

        /** After the record with this sequence number, read before. */
        record After(long sequence) implements Start {
        }
    }

    private final Optional<Path> file;
    private final Path bootIdFile;
    private String bootId;

    private KmsgCursor(Optional<Path> file, Path bootIdFile) {
        this.file = file;
        this.bootIdFile = bootIdFile;
    }

    /** A cursor kept in {@code file}. */
    public static KmsgCursor in(Path file) {
        return new KmsgCursor(Optional.of(file), BOOT_ID);
    }

    /** A cursor kept in {@code file}, the boot id read from {@code bootIdFile} (tests stand for a reboot with it). */
    public static KmsgCursor in(Path file, Path bootIdFile) {
        return new KmsgCursor(Optional.of(file), bootIdFile);
    }

    /** No cursor: every start is a first start. */
    public static KmsgCursor none() {
        return new KmsgCursor(Optional.empty(), BOOT_ID);
    }

    /**
     * Where the first start of the source reads from.
     *
     * @param replayWhenNew read the whole log when there is no cursor at all (the {@code kmsgReplay} setting)
     */
    Start start(boolean replayWhenNew) {
        Optional<String[]> saved = file.flatMap(KmsgCursor::read);
        if (saved.isEmpty() && file.isPresent() && Files.exists(file.get())) {
            // A cursor that cannot be read: where it stood is unknown, so nothing before now may be skipped.
            return new Start.Oldest();
        }
        String current = bootId();
        if (saved.isPresent() && saved.get()[0].equals(current)) {
            return new Start.After(Long.parseLong(saved.get()[1]));
        }
        if (saved.isPresent()) {
            LOG.log(System.Logger.Level.INFO, "the machine was restarted since the kernel log was last read: reading "
                    + "the whole retained log once");
            return new Start.Oldest();
        }
        return replayWhenNew ? new Start.Oldest() : new Start.End();
    }

    /** Keeps {@code sequence} as read; a failure to write is logged (the next save tries again). */
    void save(long sequence) {
        if (file.isEmpty()) {
            return;
        }
        Path target = file.get();
        Path temporary = target.resolveSibling(target.getFileName() + ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                channel.write(StandardCharsets.US_ASCII.encode(bootId() + " " + sequence + "\n"));
                channel.force(true);
            }
            try {
                Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot keep the kernel log position in " + target + ": " + e);
        }
    }

    private String bootId() {
        if (bootId == null) {
            try {
                bootId = Files.readString(bootIdFile, StandardCharsets.US_ASCII).strip();
            } catch (IOException e) {
                bootId = "unknown";
            }
        }
        return bootId;
    }

    /** {boot id, sequence} from the file, if it holds them. */
    private static Optional<String[]> read(Path file) {
        try {
            String[] fields = Files.readString(file, StandardCharsets.US_ASCII).strip().split(" ");
            if (fields.length == 2 && fields[1].matches("[0-9]{1,18}") && !fields[0].isEmpty()) {
                return Optional.of(fields);
            }
            LOG.log(System.Logger.Level.WARNING, file + " is not a kernel log position; reading the whole log once");
        } catch (IOException missing) {
            // first start in this state directory
        }
        return Optional.empty();
    }
}
