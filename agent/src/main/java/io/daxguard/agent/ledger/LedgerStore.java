package io.daxguard.agent.ledger;

import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.Fork;
import io.daxguard.spi.FreeSpaceOwner;
import io.daxguard.spi.MetadataOwner;
import io.daxguard.spi.Owner;
import io.daxguard.spi.UnknownOwner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The ledger's JDBC side: one connection to the database ({@link LedgerDatabase}: SQLite with WAL and
 * {@code synchronous=FULL}, or PostgreSQL; a commit is durable when it returns). Used by one thread at a time: the
 * ledger's writer, or the starting thread before the writer runs. Statements are the same for both databases; what
 * differs is in {@link LedgerDatabase}. Every statement names the store's host: an agent reads and writes its own
 * host's rows only.
 *
 * <p>Over 400 lines because it holds every SQL statement of the three tables (insert, update, replay, retention,
 * and the reads of {@link LedgerReader}, which may meet an older schema) beside the one connection they share:
 * split, the statements would need the connection's transaction rules in two places.
 */
final class LedgerStore implements AutoCloseable {
    private final Connection connection;
    private final PreparedStatement insertDamage;
    private final PreparedStatement insertOwner;
    private final PreparedStatement updateSeen;
    private final PreparedStatement updateOwner;
    private final PreparedStatement updateDamageState;
    private final PreparedStatement insertAudit;
    /** Above every audit id of this store's host when it was opened. */
    private final long nextAuditId;

    private final int schemaVersion;
    /** The schema version whose rows carry their host ({@code host_id}, {@code host_name}). */
    private static final int HOSTS = LedgerSchema.HOST_STAMP;
    private final LedgerDatabase database;
    /** The host whose rows this store reads and writes; null for a reader of every host's rows. */
    private final HostIdentity host;

    /**
     * @param schemaVersion the database's schema version: {@link LedgerSchema#LATEST} for a store that writes; an
     *                      older one only for a read-only store, which reads what that version has (see
     *                      {@link #column}) and prepares no writes (their columns may not exist)
     * @param host          the host whose rows are read and written (every statement names it: an agent never touches
     *                      another host's rows); null for a read-only store of every host's rows
     */
    private LedgerStore(Connection connection, int schemaVersion, LedgerDatabase database, HostIdentity host)
            throws SQLException {
        this.connection = connection;
        this.schemaVersion = schemaVersion;
        this.database = database;
        this.host = host;
        boolean current = schemaVersion == LedgerSchema.LATEST && host != null;
        insertDamage = current ? connection.prepareStatement("INSERT INTO damage (host_id, host_name, id, device, "
                + "device_name, dev_offset, length, errno, source, first_seen, last_seen, seen_count, state, closed_at, "
                + "medium, inherited_from) VALUES ('" + quoted(host.machineId()) + "','" + quoted(host.hostName())
                + "',?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING") : null;
        insertOwner = current ? connection.prepareStatement("INSERT INTO damage_owner (host_id, damage_id, owner_index, "
                + "fs_uuid, mount_point, fs_type, kind, physical_offset, length, inode, generation, fork, file_offset, "
                + "is_shared, is_unwritten, structure, description, repair_hint, paths, state, fs_device, subvolume) "
                + "VALUES ('" + quoted(host.machineId()) + "',?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING")
                : null;
        String mine = " AND host_id = '" + (host == null ? "" : quoted(host.machineId())) + "'";
        updateSeen = current ? connection.prepareStatement("UPDATE damage SET last_seen = ?, seen_count = ? WHERE id = ?"
                + mine) : null;
        updateOwner = current ? connection.prepareStatement("UPDATE damage_owner SET state = ?, paths = ? "
                + "WHERE damage_id = ? AND owner_index = ?" + mine) : null;
        updateDamageState = current ? connection.prepareStatement("UPDATE damage SET state = ?, closed_at = ? WHERE id = ?"
                + mine) : null;
        insertAudit = current ? connection.prepareStatement("INSERT INTO audit (host_id, host_name, id, at, principal, "
                + "action, fs_uuid, mount_point, inode, generation, path, result, subvolume) VALUES ('"
                + quoted(host.machineId()) + "','" + quoted(host.hostName()) + "',?,?,?,?,?,?,?,?,?,?,?) "
                + "ON CONFLICT DO NOTHING") : null;
        // A batch whose commit was acknowledged by no server (connection lost while committing) is written again on
        // the next connection: the inserts of records already there do nothing (ON CONFLICT, in both databases).
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT COALESCE(MAX(id), 0) FROM audit WHERE " + hostIs(""))) {
            nextAuditId = rows.next() ? rows.getLong(1) + 1 : 1;
        }
    }

    /** A string for a SQL literal: the host's identity is fixed for the store's life, so it is written into the SQL. */
    private static String quoted(String text) {
        return text.replace("'", "''");
    }

    /** The condition selecting this store's rows ({@code prefix} the table's alias and dot): its host's, or all. */
    private String hostIs(String prefix) {
        return host == null || schemaVersion < HOSTS ? "1 = 1" : prefix + "host_id = '" + quoted(host.machineId()) + "'";
    }

    /**
     * Opens (creating if needed) and migrates {@code database}.
     *
     * Takes {@code host}'s rows for this connection ({@link LedgerDatabase#claim}).
     *
     * @throws SQLException with SQLite's result code in its message when the file cannot be opened or is not a
     *                      database (damage inside it shows as SQLITE_CORRUPT when {@link #loadAll} reads it);
     *                      PostgreSQL's when it cannot be reached, or another agent has this host's rows
     */
    static LedgerStore open(LedgerDatabase database, HostIdentity host) throws SQLException {
        Connection connection = database.connect();
        try {
            LedgerSchema.migrate(connection, database);
            connection.setAutoCommit(false);
            database.claim(connection, host);
            return new LedgerStore(connection, LedgerSchema.LATEST, database, host);
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    /**
     * Opens the database only to read it, for a replay when it cannot be opened for writing (read-only
     * filesystem). First as a plain read-only reader, which also reads the write-ahead log a killed agent left
     * (its last commits may be only there: checkpoints are rare, see {@code wal_autocheckpoint}); SQLite can do
     * that when the {@code -shm} file exists. Only when that fails, {@code immutable=1}: no locks, no WAL, the
     * main file alone, and {@link ReadOnly#sawWal()} false.
     */
    static ReadOnly openReadOnly(Path file) throws SQLException {
        try {
            return new ReadOnly(readOnly("jdbc:sqlite:file:" + file + "?mode=ro", file), true);
        } catch (SQLException | RuntimeException withWal) {
            try {
                return openImmutable(file);
            } catch (SQLException | RuntimeException alone) {
                if (NOT_A_LEDGER.equals(alone.getMessage())) {
                    // Everything is still in the log (never checkpointed): say that, not that the file is empty.
                    SQLException onlyInTheLog = new SQLException("the main file holds no ledger yet and its write-ahead"
                            + " log could not be read (" + withWal.getMessage() + ")", withWal);
                    onlyInTheLog.addSuppressed(alone);
                    throw onlyInTheLog;
                }
                alone.addSuppressed(withWal);
                throw alone;
            }
        }
    }

    /**
     * Opens the database to read the main file alone, touching nothing ({@code immutable=1}: no locks, no
     * {@code -wal} or {@code -shm} file made). Right only while no connection has it open: then its write-ahead log
     * does not exist and everything committed is in the main file.
     */
    static ReadOnly openImmutable(Path file) throws SQLException {
        return new ReadOnly(readOnly("jdbc:sqlite:file:" + file + "?mode=ro&immutable=1", file), false);
    }

    /** Why a database with no schema version is not read: it is empty, or another program's. */
    static final String NOT_A_LEDGER = "the database has no daxguard schema (empty, or not a daxguard ledger)";

    /** The schema version of the database: {@link LedgerSchema#LATEST} unless read-only and older. */
    int schemaVersion() {
        return schemaVersion;
    }

    /**
     * SQLite's count of commits by other connections ({@code PRAGMA data_version}): it changes when anything was
     * committed since it was last asked. Read from the write-ahead log's index in shared memory, so it costs no
     * disk read and takes no lock a writer waits for; ends its read transaction at once.
     */
    long dataVersion() throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("PRAGMA data_version")) {
            return rows.next() ? rows.getLong(1) : 0;
        } finally {
            connection.commit();
        }
    }

    /** A read-only store, and whether it read the write-ahead log too. */
    record ReadOnly(LedgerStore store, boolean sawWal) implements AutoCloseable {
        @Override
        public void close() throws SQLException {
            store.close();
        }
    }

    private static LedgerStore readOnly(String url, Path file) throws SQLException {
        Connection connection = DriverManager.getConnection(url);
        try {
            connection.setAutoCommit(false);
            LedgerDatabase database = new LedgerDatabase.SqliteFile(file);
            int version = LedgerSchema.readVersion(connection, database);
            if (version > LedgerSchema.LATEST) {
                throw new SQLException(LedgerSchema.newerMessage(version));
            }
            if (version == 0) {
                throw new SQLException(NOT_A_LEDGER);
            }
            LedgerStore store = new LedgerStore(connection, version, database, null);
            // Reads a page now: a reader that cannot use the WAL fails here, not in the middle of the replay.
            try (Statement statement = connection.createStatement()) {
                statement.executeQuery("SELECT count(*) FROM sqlite_master").close();
            }
            return store;
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    /**
     * Opens a shared database to read every host's rows ({@code daxguard fleet status}): no migration, nothing
     * written, a read-only session.
     */
    static LedgerStore openEveryHost(LedgerDatabase database) throws SQLException {
        Connection connection = database.connect();
        try {
            connection.setReadOnly(true);
            connection.setAutoCommit(false);
            int version = LedgerSchema.readVersion(connection, database);
            if (version > LedgerSchema.LATEST) {
                throw new SQLException(LedgerSchema.newerMessage(version));
            }
            if (version == 0) {
                throw new SQLException(NOT_A_LEDGER);
            }
            return new LedgerStore(connection, version, database, null);
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    /** Moves a corrupt database and its WAL and shared-memory files to {@code <file>.corrupt-<millis>*}. */
    static Path moveAside(Path file, SQLException corruption, long millis) throws SQLException {
        Path aside = file.resolveSibling(file.getFileName() + ".corrupt-" + millis);
        try {
            Files.move(file, aside, StandardCopyOption.ATOMIC_MOVE);
            for (String suffix : List.of("-wal", "-shm")) {
                Path companion = file.resolveSibling(file.getFileName() + suffix);
                if (Files.exists(companion)) {
                    Files.move(companion, aside.resolveSibling(aside.getFileName() + suffix));
                }
            }
            return aside;
        } catch (IOException moveFailed) {
            throw new SQLException("ledger database " + file + " is corrupt (" + corruption.getMessage()
                    + ") and could not be moved aside: " + moveFailed.getMessage(), corruption);
        }
    }

    /** Whether an exception says the database file is damaged (not merely unwritable). */
    static boolean isCorruption(SQLException e) {
        String message = String.valueOf(e.getMessage());
        return message.contains("SQLITE_CORRUPT") || message.contains("SQLITE_NOTADB");
    }

    /** Runs the batched inserts, then commits: durable when it returns (WAL, synchronous=FULL). */
    void commit() throws SQLException {
        flushInserts();
        connection.commit();
    }

    /** Inserts are batched; anything that reads or updates rows runs them first so it sees them. */
    private void flushInserts() throws SQLException {
        insertDamage.executeBatch();
        insertOwner.executeBatch();
    }

    void rollback() {
        try {
            insertDamage.clearBatch();
            insertOwner.clearBatch();
            connection.rollback();
        } catch (SQLException ignored) {
            // The connection is dropped after a failed batch anyway.
        }
    }

    void insert(DamageRecord record) throws SQLException {
        insertDamage.setLong(1, record.id());
        insertDamage.setString(2, record.device().toString());
        insertDamage.setString(3, record.deviceName());
        insertDamage.setLong(4, record.offset());
        insertDamage.setLong(5, record.length());
        insertDamage.setInt(6, record.errno());
        insertDamage.setString(7, record.source());
        insertDamage.setLong(8, record.firstSeen().toEpochMilli());
        insertDamage.setLong(9, record.lastSeen().toEpochMilli());
        insertDamage.setLong(10, record.count());
        insertDamage.setString(11, record.state().name());
        insertDamage.setNull(12, Types.BIGINT);
        insertDamage.setString(13, record.medium());
        insertDamage.setLong(14, record.inheritedFrom());
        insertDamage.addBatch();
        for (int index = 0; index < record.owners().size(); index++) {
            insertOwner(record.id(), index, record.owners().get(index));
        }
    }

    private void insertOwner(long id, int index, AffectedOwner affected) throws SQLException {
        PreparedStatement s = insertOwner;
        s.setLong(1, id);
        s.setInt(2, index);
        s.setString(3, affected.filesystem().uuid());
        s.setString(4, affected.filesystem().mountPoint());
        s.setString(5, affected.filesystem().type());
        Owner owner = affected.owner();
        s.setLong(7, owner.physicalOffset());
        s.setLong(8, owner.length());
        for (int column = 9; column <= 17; column++) {
            s.setNull(column, column <= 10 || column == 12 || column == 13 || column == 14 ? Types.BIGINT : Types.VARCHAR);
        }
        if (owner instanceof FileOwner file) {
            s.setString(6, "FILE");
            s.setLong(9, file.inode());
            s.setLong(10, file.generation());
            s.setString(11, file.fork().name());
            s.setLong(12, file.fileOffset());
            s.setInt(13, file.shared() ? 1 : 0);
            s.setInt(14, file.unwritten() ? 1 : 0);
        } else if (owner instanceof MetadataOwner meta) {
            s.setString(6, "METADATA");
            s.setString(15, meta.kind());
            s.setString(16, meta.description());
            s.setString(17, meta.repairHint());
        } else if (owner instanceof FreeSpaceOwner) {
            s.setString(6, "FREE");
        } else {
            s.setString(6, "UNKNOWN");
            s.setString(15, ((UnknownOwner) owner).reason());
        }
        s.setString(18, encodePaths(affected.paths()));
        s.setString(19, affected.state().name());
        s.setString(20, affected.filesystem().device().toString());
        s.setLong(21, owner instanceof FileOwner file ? file.subvolume() : 0);
        s.addBatch();
    }

    void seen(DamageRecord record) throws SQLException {
        flushInserts();
        updateSeen.setLong(1, record.lastSeen().toEpochMilli());
        updateSeen.setLong(2, record.count());
        updateSeen.setLong(3, record.id());
        updateSeen.executeUpdate();
    }

    /** Writes every owner's state and paths and the record's state. */
    void states(DamageRecord record, Instant at) throws SQLException {
        flushInserts();
        for (int index = 0; index < record.owners().size(); index++) {
            AffectedOwner owner = record.owners().get(index);
            updateOwner.setString(1, owner.state().name());
            updateOwner.setString(2, encodePaths(owner.paths()));
            updateOwner.setLong(3, record.id());
            updateOwner.setInt(4, index);
            updateOwner.executeUpdate();
        }
        updateDamageState.setString(1, record.state().name());
        if (record.state().pending()) {
            updateDamageState.setNull(2, Types.BIGINT);
        } else {
            updateDamageState.setLong(2, at.toEpochMilli());
        }
        updateDamageState.setLong(3, record.id());
        updateDamageState.executeUpdate();
    }

    /** The id after the highest audit id of this store's host, when it was opened. */
    long nextAuditId() {
        return nextAuditId;
    }

    /** Inserts an audit entry with the id the ledger gave it when queued (so a batch sent again inserts it once). */
    void audit(long id, AuditEntry entry) throws SQLException {
        insertAudit.setLong(1, id);
        insertAudit.setLong(2, entry.at().toEpochMilli());
        insertAudit.setString(3, entry.principal());
        insertAudit.setString(4, entry.action());
        insertAudit.setString(5, entry.file().filesystemUuid());
        insertAudit.setString(6, entry.file().mountPoint());
        insertAudit.setLong(7, entry.file().inode());
        insertAudit.setLong(8, entry.file().generation());
        insertAudit.setString(9, entry.path());
        insertAudit.setString(10, entry.result());
        insertAudit.setLong(11, entry.file().subvolume());
        insertAudit.executeUpdate();
    }

    /** Every record, oldest first, in one pass over both tables. */
    List<DamageRecord> loadAll() throws SQLException {
        return loadAfter(Long.MIN_VALUE);
    }

    /** The records with an id above {@code id} (ids grow in commit order), oldest first. */
    List<DamageRecord> loadAfter(long id) throws SQLException {
        List<HostedRecord> records = new ArrayList<>();
        loadAfter(id, records);
        return records.stream().map(HostedRecord::record).toList();
    }

    /** A record with the host whose row it is. */
    record HostedRecord(String hostId, String hostName, DamageRecord record) {
    }

    private void loadAfter(long id, List<HostedRecord> records) throws SQLException {
        String sql = "SELECT d.id, d.device, d.device_name, d.dev_offset, d.length, d.errno, d.source, d.first_seen, "
                + "d.last_seen, d.seen_count, d.state, o.owner_index, o.fs_uuid, o.mount_point, o.fs_type, o.kind, "
                + "o.physical_offset, o.length, o.inode, o.generation, o.fork, o.file_offset, o.is_shared, "
                + "o.is_unwritten, o.structure, o.description, o.repair_hint, o.paths, o.state, "
                + column("o.fs_device", 2, "''") + ", " + column("d.medium", 2, "''") + ", "
                + column("d.inherited_from", 2, "0") + ", " + column("o.subvolume", 3, "0") + ", "
                + column("d.host_id", HOSTS, "''") + ", " + column("d.host_name", HOSTS, "''") + " "
                + "FROM damage d LEFT JOIN damage_owner o ON o.damage_id = d.id"
                + (schemaVersion >= HOSTS ? " AND o.host_id = d.host_id" : "") + " WHERE d.id > ? AND " + hostIs("d.")
                + " ORDER BY " + (schemaVersion >= HOSTS ? "d.host_id, " : "") + "d.id, o.owner_index";
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setLong(1, id);
            readRecords(statement, records);
        }
        connection.commit();
    }

    /** Every record of every host, by host then id (what {@code daxguard fleet status} shows). */
    List<HostedRecord> loadEveryHost() throws SQLException {
        List<HostedRecord> records = new ArrayList<>();
        loadAfter(Long.MIN_VALUE, records);
        return records;
    }

    /**
     * A column added by migration {@code since}, or what that migration filled older rows with when this
     * (read-only) database is older: a reader shows an old ledger as the agent will once it migrated it.
     */
    private String column(String name, int since, String absent) {
        return schemaVersion >= since ? name : absent;
    }

    private static void readRecords(PreparedStatement statement, List<HostedRecord> records) throws SQLException {
        try (ResultSet rows = statement.executeQuery()) {
            long currentId = -1;
            String currentHost = null;
            String currentHostName = null;
            Object[] head = null;
            List<AffectedOwner> owners = new ArrayList<>();
            while (rows.next()) {
                long id = rows.getLong(1);
                String hostId = rows.getString(34);
                if (id != currentId || !hostId.equals(currentHost)) {
                    if (head != null) {
                        records.add(new HostedRecord(currentHost, currentHostName, toRecord(head, owners)));
                    }
                    currentId = id;
                    currentHost = hostId;
                    currentHostName = rows.getString(35);
                    head = new Object[] {id, rows.getString(2), rows.getString(3), rows.getLong(4), rows.getLong(5),
                        rows.getInt(6), rows.getString(7), rows.getLong(8), rows.getLong(9), rows.getLong(10),
                        rows.getString(11), rows.getString(31), rows.getLong(32)};
                    owners = new ArrayList<>();
                }
                rows.getInt(12);
                if (!rows.wasNull()) {
                    owners.add(readOwner(rows, (String) head[1]));
                }
            }
            if (head != null) {
                records.add(new HostedRecord(currentHost, currentHostName, toRecord(head, owners)));
            }
        }
    }

    private static DamageRecord toRecord(Object[] head, List<AffectedOwner> owners) {
        return new DamageRecord((Long) head[0], DeviceNumber.parse((String) head[1]), (String) head[2], (Long) head[3],
                (Long) head[4], (Integer) head[5], (String) head[6], Instant.ofEpochMilli((Long) head[7]),
                Instant.ofEpochMilli((Long) head[8]), (Long) head[9], owners, DamageState.valueOf((String) head[10]),
                (Long) head[12], (String) head[11]);
    }

    private static AffectedOwner readOwner(ResultSet rows, String recordDevice) throws SQLException {
        String fsDevice = rows.getString(30);
        FilesystemRef filesystem = new FilesystemRef(rows.getString(13),
                DeviceNumber.parse(fsDevice == null || fsDevice.isEmpty() ? recordDevice : fsDevice),
                rows.getString(14), rows.getString(15));
        long physical = rows.getLong(17);
        long length = rows.getLong(18);
        Owner owner = switch (rows.getString(16)) {
            case "FILE" -> new FileOwner(rows.getLong(19), rows.getLong(20), Fork.valueOf(rows.getString(21)),
                    rows.getLong(22), physical, length, rows.getInt(23) != 0, rows.getInt(24) != 0, rows.getLong(33));
            case "METADATA" -> new MetadataOwner(rows.getString(25), rows.getString(26), rows.getString(27), physical,
                    length);
            case "FREE" -> new FreeSpaceOwner(physical, length);
            default -> new UnknownOwner(physical, length, rows.getString(25));
        };
        return new AffectedOwner(filesystem, owner, decodePaths(rows.getString(28)),
                DamageState.valueOf(rows.getString(29)));
    }

    List<AuditEntry> loadAudit() throws SQLException {
        return loadAuditAfter(Long.MIN_VALUE).stream().map(LedgerReader.AuditRow::entry).toList();
    }

    /** The audit entries with an id above {@code id} (ids grow in commit order), oldest first. */
    List<LedgerReader.AuditRow> loadAuditAfter(long id) throws SQLException {
        List<LedgerReader.AuditRow> entries = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement("SELECT at, principal, action, fs_uuid, "
                + "mount_point, inode, generation, path, result, id, " + column("subvolume", 3, "0")
                + " FROM audit WHERE id > ? AND " + hostIs("") + " ORDER BY id")) {
            statement.setLong(1, id);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    entries.add(new LedgerReader.AuditRow(rows.getLong(10), new AuditEntry(
                            Instant.ofEpochMilli(rows.getLong(1)), rows.getString(2), rows.getString(3),
                            FileKey.inSubvolume(rows.getString(4), rows.getString(5), rows.getLong(11), rows.getLong(6),
                                    rows.getLong(7)),
                            rows.getString(8), rows.getString(9))));
                }
            }
        }
        connection.commit();
        return entries;
    }

    /**
     * Deletes closed records beyond the newest {@code keep}, and closed records and audit entries older than
     * {@code before} (FILESYSTEM_GONE is not closed: the old disk's bytes are still bad until an operator says);
     * gives freed pages back to the file system. Returns the ids of the deleted records.
     */
    List<Long> compact(int keep, Instant before) throws SQLException {
        List<Long> doomed = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement("SELECT id, closed_at FROM damage "
                + "WHERE state NOT IN ('OPEN', 'REDUNDANT', 'FILESYSTEM_GONE') AND " + hostIs("")
                + " ORDER BY closed_at DESC, id DESC")) {
            try (ResultSet rows = select.executeQuery()) {
                int kept = 0;
                while (rows.next()) {
                    long closedAt = rows.getLong(2);
                    if (kept < keep && closedAt >= before.toEpochMilli()) {
                        kept++;
                    } else {
                        doomed.add(rows.getLong(1));
                    }
                }
            }
        }
        try (PreparedStatement owners = connection.prepareStatement("DELETE FROM damage_owner WHERE damage_id = ? AND "
                + hostIs(""));
             PreparedStatement damage = connection.prepareStatement("DELETE FROM damage WHERE id = ? AND " + hostIs(""));
             PreparedStatement audit = connection.prepareStatement("DELETE FROM audit WHERE at < ? AND " + hostIs(""))) {
            for (long id : doomed) {
                owners.setLong(1, id);
                owners.executeUpdate();
                damage.setLong(1, id);
                damage.executeUpdate();
            }
            audit.setLong(1, before.toEpochMilli());
            audit.executeUpdate();
        }
        connection.commit();
        database.compacted(connection);
        return doomed;
    }

    /** Paths joined by newlines; a backslash or newline inside a name is escaped. */
    static String encodePaths(List<String> paths) {
        StringBuilder text = new StringBuilder();
        for (String path : paths) {
            if (text.length() > 0) {
                text.append('\n');
            }
            text.append(path.replace("\\", "\\\\").replace("\n", "\\n"));
        }
        return text.toString();
    }

    static List<String> decodePaths(String text) {
        if (text == null || text.isEmpty()) {
            return List.of();
        }
        if (text.indexOf('\n') < 0 && text.indexOf('\\') < 0) {
            return List.of(text);
        }
        return Arrays.stream(text.split("\n", -1)).map(LedgerStore::unescape).toList();
    }

    private static String unescape(String path) {
        StringBuilder out = new StringBuilder(path.length());
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '\\' && i + 1 < path.length()) {
                char next = path.charAt(++i);
                out.append(next == 'n' ? '\n' : next);
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** From another thread: ends the connection under the statement waiting on it ({@link LedgerDatabase#abort}). */
    void abort() {
        database.abort(connection);
    }

    @Override
    public void close() {
        try {
            database.release(connection, host);
        } catch (SQLException | RuntimeException lost) {
            // A connection already lost: the server ends its session, and with it the claim, by itself.
        }
        try {
            connection.close();
        } catch (SQLException ignored) {
            // Closing after a failure: nothing more to do with this connection.
        }
    }
}
