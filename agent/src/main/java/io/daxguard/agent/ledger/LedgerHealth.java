package io.daxguard.agent.ledger;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Objects;

/**
 * Whether the ledger is writing durably now.
 *
 * @param durable       every accepted write is (or will shortly be) on disk; false while writes fail
 * @param message       {@code ok}, or what is wrong and what the ledger does about it
 * @param pendingWrites writes held in memory, not yet durable
 */
public record LedgerHealth(boolean durable, String message, int pendingWrites) {
    public static final LedgerHealth MEMORY_ONLY = new LedgerHealth(false, "in memory only: lost at stop", 0);

    public LedgerHealth {
        Objects.requireNonNull(message, "message is null");
    }

    /** Not durable: what failed on {@code database}, why in an operator's words, and what the ledger does now. */
    static LedgerHealth failing(LedgerDatabase database, String doing, Exception e, int pending, long retryMillis) {
        String why = cause(e);
        Path directory = database.file().map(Path::getParent).orElse(null);
        if (directory == null) {
            if (why.contains("Connection") || why.contains("connection") || why.contains("I/O error")) {
                why += " (the database server cannot be reached)";
            }
        } else if (why.contains("SQLITE_FULL")) {
            why += " (the filesystem of " + directory + " is full)";
        } else if (Files.isDirectory(directory) && !Files.isWritable(directory)) {
            why += " (" + directory + " is not writable: read-only filesystem or permissions)";
        } else if (Files.exists(directory) && !Files.isDirectory(directory)) {
            why += " (" + directory + " is not a directory)";
        }
        return new LedgerHealth(false, "ledger " + database.describe() + ": " + doing + " failed: " + why + "; "
                + pending + " write(s) held in memory, retrying every " + retryMillis + " ms", pending);
    }

    static String cause(Exception e) {
        return e instanceof SQLException ? String.valueOf(e.getMessage())
                : e.getClass().getSimpleName() + ": " + e.getMessage();
    }
}
