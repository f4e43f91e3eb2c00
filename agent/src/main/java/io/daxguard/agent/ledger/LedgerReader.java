package io.daxguard.agent.ledger;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;

/**
 * The ledger of a state directory, read without an agent ({@code daxguard events}, {@code status --offline}) and
 * without disturbing one that runs. Nothing is ever written to the database (no migration, no checkpoint), and every
 * read is one short read transaction.
 *
 * <ul>
 *   <li>While no agent has the ledger open its write-ahead log does not exist (SQLite removes it when the last writer
 *   closes cleanly) and everything committed is in the main file: that file alone is read, immutable, so not even a
 *   {@code -shm} or lock is made.</li>
 *   <li>Otherwise (an agent runs, or one was killed and left its log) the database is opened read-only with its log
 *   ({@code mode=ro}): in WAL mode a reader never blocks the writer, and a killed agent's last commits, which may be
 *   only in the log, are read. Only when SQLite cannot use the log (no {@code -shm} file in a read-only directory) is
 *   the main file read alone, and {@link #complete()} says the newest commits may be missing.</li>
 * </ul>
 * A reader opened on a stopped agent's ledger switches to the second way as soon as an agent opens it, so
 * {@link #changeCount()} also sees the commits of an agent started later.
 *
 * <p>A ledger of an older schema version is read as the agent would show it once migrated (the added columns take
 * the values the migration gives old rows); one of a newer version is refused.
 *
 * <p>Threads: one thread at a time (one JDBC connection).
 */
public final class LedgerReader implements AutoCloseable {
    private final Path file;
    private final Path wal;
    private LedgerStore.ReadOnly readOnly;
    private boolean immutable;
    private long lastDataVersion;
    private long changes;

    /** An audit entry with its id in the ledger (ids grow in commit order). */
    public record AuditRow(long id, AuditEntry entry) {
        public AuditRow {
            Objects.requireNonNull(entry, "entry is null");
        }
    }

    /** The ledger cannot be read; the message says why in words an operator acts on. */
    public static final class UnreadableLedgerException extends Exception {
        UnreadableLedgerException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private LedgerReader(Path file) throws SQLException {
        this.file = file;
        this.wal = file.resolveSibling(file.getFileName() + "-wal");
        this.immutable = !Files.exists(wal);
        this.readOnly = immutable ? LedgerStore.openImmutable(file) : LedgerStore.openReadOnly(file);
        this.lastDataVersion = immutable ? 0 : readOnly.store().dataVersion();
    }

    /**
     * Opens the ledger of {@code stateDirectory} to read it.
     *
     * @throws UnreadableLedgerException when there is no ledger there, it is not a daxguard ledger or is corrupt, it
     *                                   cannot be opened, or a newer daxguard wrote it
     */
    public static LedgerReader open(Path stateDirectory) throws UnreadableLedgerException {
        Path file = stateDirectory.resolve(SqliteDamageLedger.FILE_NAME);
        if (!Files.isDirectory(stateDirectory)) {
            throw new UnreadableLedgerException("no ledger in " + stateDirectory + ": the directory does not exist "
                    + "(the agent's state directory is stateDirectory in its configuration, or run --state-dir)", null);
        }
        if (!Files.exists(file)) {
            throw new UnreadableLedgerException("no ledger in " + stateDirectory + ": there is no "
                    + SqliteDamageLedger.FILE_NAME + " (has an agent run with this state directory?)", null);
        }
        if (!Files.isRegularFile(file)) {
            throw new UnreadableLedgerException("cannot read the ledger " + file + ": it is not a regular file", null);
        }
        try {
            return new LedgerReader(file);
        } catch (SQLException | RuntimeException e) {
            throw unreadable(file, e);
        }
    }

    /**
     * A count that grows whenever something was committed to the ledger since it was last asked (SQLite's
     * {@code PRAGMA data_version}, which changes on commits by other connections), and when an agent opened a ledger
     * that no agent had open: compare two readings to know whether to read again.
     */
    public long changeCount() throws UnreadableLedgerException {
        try {
            if (immutable) {
                if (!Files.exists(wal)) {
                    return changes; // no writer has it open: nothing can have changed
                }
                LedgerStore.ReadOnly shared = LedgerStore.openReadOnly(file);
                readOnly.close();
                readOnly = shared;
                immutable = false;
                lastDataVersion = shared.store().dataVersion();
                return ++changes;
            }
            long now = readOnly.store().dataVersion();
            if (now != lastDataVersion) {
                lastDataVersion = now;
                changes++;
            }
            return changes;
        } catch (SQLException | RuntimeException e) {
            throw unreadable(file, e);
        }
    }

    /** Where the ledger is. */
    public Path file() {
        return file;
    }

    /**
     * Whether everything committed is read: false when an agent's write-ahead log exists but could not be used, so
     * the newest commits may be missing.
     */
    public boolean complete() {
        return immutable || readOnly.sawWal();
    }

    /** The ledger's schema version (at most this daxguard's). */
    public int schemaVersion() {
        return readOnly.store().schemaVersion();
    }

    /** Every record, oldest first. */
    public List<DamageRecord> records() throws UnreadableLedgerException {
        return recordsAfter(Long.MIN_VALUE);
    }

    /** The records with an id above {@code id}, oldest first: what was committed after it. */
    public List<DamageRecord> recordsAfter(long id) throws UnreadableLedgerException {
        try {
            return readOnly.store().loadAfter(id);
        } catch (SQLException | RuntimeException e) {
            throw unreadable(file, e);
        }
    }

    /** The audit trail, oldest first. */
    public List<AuditRow> audit() throws UnreadableLedgerException {
        return auditAfter(Long.MIN_VALUE);
    }

    /** The audit entries with an id above {@code id}, oldest first. */
    public List<AuditRow> auditAfter(long id) throws UnreadableLedgerException {
        try {
            return readOnly.store().loadAuditAfter(id);
        } catch (SQLException | RuntimeException e) {
            throw unreadable(file, e);
        }
    }

    private static UnreadableLedgerException unreadable(Path file, Exception e) {
        String message = String.valueOf(e.getMessage());
        String why;
        if (LedgerStore.isCorruption(e instanceof SQLException sql ? sql : new SQLException(message))) {
            why = "it is not a SQLite database, or it is corrupt (" + message + ")";
        } else if (message.contains("no such table") || message.contains("no such column")) {
            why = "it is not a daxguard ledger this version can read (" + message + ")";
        } else {
            why = message;
        }
        return new UnreadableLedgerException("cannot read the ledger " + file + ": " + why, e);
    }

    @Override
    public void close() {
        try {
            readOnly.close();
        } catch (SQLException ignored) {
            // A reader's connection: nothing was written that closing could lose.
        }
    }
}
