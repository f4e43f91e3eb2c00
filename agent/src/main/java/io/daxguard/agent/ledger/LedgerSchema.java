package io.daxguard.agent.ledger;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The ledger's tables and their migrations, in the code so a binary always knows how to bring its database
 * up to date. The SQL is plain (BIGINT, VARCHAR, INTEGER, no AUTOINCREMENT, no SQLite-only types) so the
 * same statements serve SQLite and PostgreSQL ({@link LedgerDatabase}); ids are assigned by the agent, unique per host.
 *
 * <p>Tables carry no secondary index: the agent reads everything once at start and queries memory after, and
 * every index would be maintained once per record of a storm. Compaction scans {@code damage}, rarely.
 *
 * <p>State is per (record, owner): {@code damage_owner.state}. {@code damage.state} is derived (OPEN while
 * any owner is open) and kept for queries and for records with no owner.
 */
final class LedgerSchema {
    /** A numbered step; applied once, in order, in one transaction with the version bump. */
    record Migration(int version, List<String> statements) {
    }

    /** The migration that stamps every row with its host (shared ledgers); readers of older ledgers show none. */
    static final int HOST_STAMP = 4;

    static final List<Migration> MIGRATIONS = List.of(
            new Migration(1, List.of(
                    "CREATE TABLE damage (id BIGINT PRIMARY KEY, device VARCHAR(24) NOT NULL, device_name VARCHAR(64) NOT NULL, "
                            + "dev_offset BIGINT NOT NULL, length BIGINT NOT NULL, errno INTEGER NOT NULL, "
                            + "source VARCHAR(255) NOT NULL, first_seen BIGINT NOT NULL, last_seen BIGINT NOT NULL, "
                            + "seen_count BIGINT NOT NULL, state VARCHAR(24) NOT NULL, closed_at BIGINT)",
                    "CREATE TABLE damage_owner (damage_id BIGINT NOT NULL, owner_index INTEGER NOT NULL, "
                            + "fs_uuid VARCHAR(64) NOT NULL, mount_point VARCHAR(4096) NOT NULL, fs_type VARCHAR(32) NOT NULL, "
                            + "kind VARCHAR(16) NOT NULL, physical_offset BIGINT NOT NULL, length BIGINT NOT NULL, "
                            + "inode BIGINT, generation BIGINT, fork VARCHAR(16), file_offset BIGINT, "
                            + "is_shared INTEGER, is_unwritten INTEGER, structure VARCHAR(255), description VARCHAR(1024), "
                            + "repair_hint VARCHAR(255), paths VARCHAR(65535), state VARCHAR(24) NOT NULL, "
                            + "PRIMARY KEY (damage_id, owner_index))",
                    "CREATE TABLE audit (id BIGINT PRIMARY KEY, at BIGINT NOT NULL, principal VARCHAR(255) NOT NULL, "
                            + "action VARCHAR(64) NOT NULL, fs_uuid VARCHAR(64) NOT NULL, mount_point VARCHAR(4096) NOT NULL, "
                            + "inode BIGINT NOT NULL, generation BIGINT NOT NULL, path VARCHAR(4096) NOT NULL, "
                            + "result VARCHAR(4096) NOT NULL)",
                    "CREATE INDEX audit_file ON audit (fs_uuid, inode, generation)")),
            // Lifetime: the disk a record's bytes are on, the record an inherited one came from, and the device
            // each owner's filesystem was resolved on (empty in rows written before: the record's device).
            new Migration(2, List.of(
                    "ALTER TABLE damage ADD COLUMN medium VARCHAR(512) NOT NULL DEFAULT ''",
                    "ALTER TABLE damage ADD COLUMN inherited_from BIGINT NOT NULL DEFAULT 0",
                    "ALTER TABLE damage_owner ADD COLUMN fs_device VARCHAR(24) NOT NULL DEFAULT ''")),
            // Subvolumes: a file's identity is (UUID, subvolume, inode, generation); rows written before are of
            // filesystems with one inode-number space, subvolume 0.
            new Migration(3, List.of(
                    "ALTER TABLE damage_owner ADD COLUMN subvolume BIGINT NOT NULL DEFAULT 0",
                    "ALTER TABLE audit ADD COLUMN subvolume BIGINT NOT NULL DEFAULT 0")),
            // Fleets: every row stamped with its host (machine id; the host's name for people), and ids unique per
            // host, so several agents share one database. The tables are rebuilt (SQLite cannot change a primary
            // key); rows written before get an empty stamp that the one host of a local ledger claims at open.
            new Migration(HOST_STAMP, List.of(
                    "CREATE TABLE damage_v4 (host_id VARCHAR(64) NOT NULL, host_name VARCHAR(255) NOT NULL, "
                            + "id BIGINT NOT NULL, device VARCHAR(24) NOT NULL, device_name VARCHAR(64) NOT NULL, "
                            + "dev_offset BIGINT NOT NULL, length BIGINT NOT NULL, errno INTEGER NOT NULL, "
                            + "source VARCHAR(255) NOT NULL, first_seen BIGINT NOT NULL, last_seen BIGINT NOT NULL, "
                            + "seen_count BIGINT NOT NULL, state VARCHAR(24) NOT NULL, closed_at BIGINT, "
                            + "medium VARCHAR(512) NOT NULL, inherited_from BIGINT NOT NULL, PRIMARY KEY (host_id, id))",
                    "INSERT INTO damage_v4 SELECT '', '', id, device, device_name, dev_offset, length, errno, source, "
                            + "first_seen, last_seen, seen_count, state, closed_at, medium, inherited_from FROM damage",
                    "DROP TABLE damage",
                    "ALTER TABLE damage_v4 RENAME TO damage",
                    "CREATE TABLE damage_owner_v4 (host_id VARCHAR(64) NOT NULL, damage_id BIGINT NOT NULL, "
                            + "owner_index INTEGER NOT NULL, fs_uuid VARCHAR(64) NOT NULL, mount_point VARCHAR(4096) NOT NULL, "
                            + "fs_type VARCHAR(32) NOT NULL, kind VARCHAR(16) NOT NULL, physical_offset BIGINT NOT NULL, "
                            + "length BIGINT NOT NULL, inode BIGINT, generation BIGINT, fork VARCHAR(16), file_offset BIGINT, "
                            + "is_shared INTEGER, is_unwritten INTEGER, structure VARCHAR(255), description VARCHAR(1024), "
                            + "repair_hint VARCHAR(255), paths VARCHAR(65535), state VARCHAR(24) NOT NULL, "
                            + "fs_device VARCHAR(24) NOT NULL, subvolume BIGINT NOT NULL, PRIMARY KEY (host_id, damage_id, owner_index))",
                    "INSERT INTO damage_owner_v4 SELECT '', damage_id, owner_index, fs_uuid, mount_point, fs_type, kind, "
                            + "physical_offset, length, inode, generation, fork, file_offset, is_shared, is_unwritten, "
                            + "structure, description, repair_hint, paths, state, fs_device, subvolume FROM damage_owner",
                    "DROP TABLE damage_owner",
                    "ALTER TABLE damage_owner_v4 RENAME TO damage_owner",
                    "CREATE TABLE audit_v4 (host_id VARCHAR(64) NOT NULL, host_name VARCHAR(255) NOT NULL, "
                            + "id BIGINT NOT NULL, at BIGINT NOT NULL, principal VARCHAR(255) NOT NULL, "
                            + "action VARCHAR(64) NOT NULL, fs_uuid VARCHAR(64) NOT NULL, mount_point VARCHAR(4096) NOT NULL, "
                            + "inode BIGINT NOT NULL, generation BIGINT NOT NULL, path VARCHAR(4096) NOT NULL, "
                            + "result VARCHAR(4096) NOT NULL, subvolume BIGINT NOT NULL, PRIMARY KEY (host_id, id))",
                    "INSERT INTO audit_v4 SELECT '', '', id, at, principal, action, fs_uuid, mount_point, inode, "
                            + "generation, path, result, subvolume FROM audit",
                    "DROP TABLE audit",
                    "ALTER TABLE audit_v4 RENAME TO audit",
                    "CREATE INDEX audit_file ON audit (host_id, fs_uuid, inode, generation)")));

    static final int LATEST = MIGRATIONS.get(MIGRATIONS.size() - 1).version();

    private LedgerSchema() {
    }

    /** Brings the database to {@link #LATEST}; refuses a database from a newer daxguard. */
    static void migrate(Connection connection, LedgerDatabase database) throws SQLException {
        database.exclusively(connection, () -> migrateNow(connection));
    }

    private static void migrateNow(Connection connection) throws SQLException {
        int current = currentVersion(connection);
        if (current > LATEST) {
            throw new SQLException(newerMessage(current));
        }
        for (Migration migration : MIGRATIONS) {
            if (migration.version() <= current) {
                continue;
            }
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                for (String sql : migration.statements()) {
                    statement.execute(sql);
                }
                statement.executeUpdate("DELETE FROM schema_version");
                statement.executeUpdate("INSERT INTO schema_version (version) VALUES (" + migration.version() + ")");
                connection.commit();
            } catch (SQLException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(autoCommit);
            }
        }
    }

    /**
     * The version of a database opened read-only, without writing: 0 when it has no {@code schema_version} table
     * (an empty file, or not a daxguard ledger).
     */
    static int readVersion(Connection connection, LedgerDatabase database) throws SQLException {
        if (!database.hasTable(connection, "schema_version")) {
            return 0;
        }
        try (Statement statement = connection.createStatement()) {
            try (ResultSet rows = statement.executeQuery("SELECT MAX(version) FROM schema_version")) {
                return rows.next() ? rows.getInt(1) : 0;
            }
        }
    }

    /** The refusal of a database written by a newer daxguard, in one wording for the agent and the readers. */
    static String newerMessage(int version) {
        return "the ledger database is at schema version " + version + ", newer than this daxguard (" + LATEST
                + "): run the newer version or move the database away";
    }

    private static int currentVersion(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
            try (ResultSet rows = statement.executeQuery("SELECT MAX(version) FROM schema_version")) {
                return rows.next() ? rows.getInt(1) : 0;
            }
        }
    }
}
