package io.daxguard.agent.ledger;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;

/**
 * Where the ledger's rows are, and the little that differs between the two databases it can live in: how to
 * connect, how to ask whether a table exists, who may migrate and write when, and how space is given back. Every
 * statement on the tables themselves is the same for both ({@link LedgerStore}, {@link LedgerSchema}).
 */
public sealed interface LedgerDatabase {
    /** Where, for messages: the file, or the URL (never a password). */
    String describe();

    /** A new connection, autocommit on, with the session settings the ledger relies on. */
    Connection connect() throws SQLException;

    /** Whether table {@code name} exists (a database with no {@code schema_version} is not a ledger yet). */
    boolean hasTable(Connection connection, String name) throws SQLException;

    /**
     * Runs the migrations with no other agent migrating at the same time; {@code migration} runs its own
     * transactions.
     */
    void exclusively(Connection connection, SqlStep migration) throws SQLException;

    /**
     * Takes this host's rows for the session: afterwards only this connection writes rows stamped with {@code host}.
     * Called with autocommit off; commits.
     */
    void claim(Connection connection, HostIdentity host) throws SQLException;

    /**
     * Gives up {@link #claim} before its connection closes. By default nothing: a claim that ends with its
     * connection at once needs no more.
     */
    default void release(Connection connection, HostIdentity host) throws SQLException {
    }

    /**
     * Ends {@code connection} from another thread than the one using it, whatever that one waits for, when a close
     * gives up on it. By default nothing: a local file's statement is not waiting on a server, and closing it under
     * SQLite's native code at work is not safe.
     */
    default void abort(Connection connection) {
    }

    /** After compaction committed: gives freed space back if the database does not do it by itself. */
    void compacted(Connection connection) throws SQLException;

    /** The local state directory's file, for the SQLite ledger's own recovery (corrupt file, read-only replay). */
    default Optional<Path> file() {
        return Optional.empty();
    }

    @FunctionalInterface
    interface SqlStep {
        void run() throws SQLException;
    }

    /** SQLite in a file of the state directory: one host, one agent (SQLite's own lock keeps others out). */
    record SqliteFile(Path path) implements LedgerDatabase {
        public SqliteFile {
            Objects.requireNonNull(path, "path is null");
        }

        @Override
        public String describe() {
            return path.toString();
        }

        @Override
        public Connection connect() throws SQLException {
            Connection connection = DriverManager.getConnection("jdbc:sqlite:" + path);
            try (Statement statement = connection.createStatement()) {
                statement.execute("PRAGMA busy_timeout = 5000");
                // Must precede the first table; lets compaction give pages back with incremental_vacuum.
                statement.execute("PRAGMA auto_vacuum = INCREMENTAL");
                statement.execute("PRAGMA journal_mode = WAL");
                statement.execute("PRAGMA synchronous = FULL");
                // Fewer, larger checkpoints during a storm (each one fsyncs the database file): 64 MiB of WAL.
                statement.execute("PRAGMA wal_autocheckpoint = 16384");
                statement.execute("PRAGMA cache_size = -65536");
                return connection;
            } catch (SQLException | RuntimeException e) {
                connection.close();
                throw e;
            }
        }

        @Override
        public boolean hasTable(Connection connection, String name) throws SQLException {
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?")) {
                statement.setString(1, name);
                try (ResultSet rows = statement.executeQuery()) {
                    return rows.next() && rows.getInt(1) > 0;
                }
            }
        }

        @Override
        public void exclusively(Connection connection, SqlStep migration) throws SQLException {
            migration.run(); // the writer holds SQLite's write lock for each migration's transaction
        }

        /**
         * A local ledger is its host's alone: rows stamped otherwise (written before the stamp existed, or before the
         * machine id changed, a cloned image) are this host's, restamped so a later shared copy tells hosts apart.
         */
        @Override
        public void claim(Connection connection, HostIdentity host) throws SQLException {
            for (String table : new String[] {"damage", "audit"}) {
                try (PreparedStatement statement = connection.prepareStatement("UPDATE " + table
                        + " SET host_id = ?, host_name = ? WHERE host_id <> ? OR host_name <> ?")) {
                    statement.setString(1, host.machineId());
                    statement.setString(2, host.hostName());
                    statement.setString(3, host.machineId());
                    statement.setString(4, host.hostName());
                    statement.executeUpdate();
                }
            }
            try (PreparedStatement statement = connection.prepareStatement(
                    "UPDATE damage_owner SET host_id = ? WHERE host_id <> ?")) {
                statement.setString(1, host.machineId());
                statement.setString(2, host.machineId());
                statement.executeUpdate();
            }
            connection.commit();
        }

        @Override
        public void compacted(Connection connection) throws SQLException {
            connection.setAutoCommit(true);
            try (Statement statement = connection.createStatement()) {
                statement.execute("PRAGMA incremental_vacuum");
            } finally {
                connection.setAutoCommit(false);
            }
        }

        @Override
        public Optional<Path> file() {
            return Optional.of(path);
        }
    }

    /**
     * A PostgreSQL database shared by a fleet. Concurrency: each agent holds a session advisory lock on its host's
     * key for as long as its connection lives, so two agents with one identity never both write (a second one is
     * not durable, saying why); migrations run under another advisory lock, so agents starting together migrate
     * once.
     *
     * @param url      {@code jdbc:postgresql://host:port/database}
     * @param user     the role to connect as; empty: the driver's default
     * @param password its password; empty: none (never shown)
     */
    record Postgres(String url, String user, String password) implements LedgerDatabase {
        /** The advisory lock key migrations run under: any constant no other program of the database uses. */
        private static final long MIGRATION_LOCK = 0x6461786775617264L; // "daxguard"
        private static final int CONNECT_TIMEOUT_SECONDS = 10;
        /** How long giving up the claim at close may wait for the server before the close goes on without it. */
        private static final int RELEASE_TIMEOUT_MILLIS = 2_000;

        public Postgres {
            Objects.requireNonNull(url, "url is null");
            user = Objects.requireNonNullElse(user, "");
            password = Objects.requireNonNullElse(password, "");
            if (!url.startsWith("jdbc:postgresql:")) {
                throw new IllegalArgumentException("url must start with jdbc:postgresql:, was " + url);
            }
        }

        @Override
        public String describe() {
            return url + (user.isEmpty() ? "" : " as " + user);
        }

        @Override
        public String toString() {
            return "Postgres[" + describe() + "]";
        }

        @Override
        public Connection connect() throws SQLException {
            Properties properties = new Properties();
            if (!user.isEmpty()) {
                properties.setProperty("user", user);
            }
            if (!password.isEmpty()) {
                properties.setProperty("password", password);
            }
            properties.setProperty("connectTimeout", String.valueOf(CONNECT_TIMEOUT_SECONDS));
            // The whole login too: a server that accepts the connection and never answers (hung, stopped, a port
            // forwarded to nothing) held the agent's start, and the writer's reconnect, for the socket timeout.
            properties.setProperty("loginTimeout", String.valueOf(CONNECT_TIMEOUT_SECONDS));
            properties.setProperty("ApplicationName", "daxguard");
            // A dead server is noticed by the next statement, not by a hang on a half-open socket.
            properties.setProperty("tcpKeepAlive", "true");
            properties.setProperty("socketTimeout", "60");
            // And the server notices a client gone without a word (a network cut, a killed host) within a minute,
            // ending its session and so releasing the host's advisory lock for the agent's reconnect; by default it
            // would hold it for the system's TCP keepalive time, two hours.
            properties.setProperty("options",
                    "-c tcp_keepalives_idle=30 -c tcp_keepalives_interval=10 -c tcp_keepalives_count=3");
            return new org.postgresql.Driver().connect(url, properties);
        }

        @Override
        public boolean hasTable(Connection connection, String name) throws SQLException {
            try (PreparedStatement statement = connection.prepareStatement("SELECT count(*) FROM "
                    + "information_schema.tables WHERE table_schema = current_schema() AND table_name = ?")) {
                statement.setString(1, name);
                try (ResultSet rows = statement.executeQuery()) {
                    return rows.next() && rows.getInt(1) > 0;
                }
            }
        }

        @Override
        public void exclusively(Connection connection, SqlStep migration) throws SQLException {
            try (PreparedStatement lock = connection.prepareStatement("SELECT pg_advisory_lock(?)")) {
                lock.setLong(1, MIGRATION_LOCK);
                lock.execute();
            }
            try {
                migration.run();
            } finally {
                try (PreparedStatement unlock = connection.prepareStatement("SELECT pg_advisory_unlock(?)")) {
                    unlock.setLong(1, MIGRATION_LOCK);
                    unlock.execute();
                }
            }
        }

        @Override
        public void claim(Connection connection, HostIdentity host) throws SQLException {
            try (PreparedStatement lock = connection.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
                lock.setLong(1, hostKey(host));
                try (ResultSet rows = lock.executeQuery()) {
                    if (!rows.next() || !rows.getBoolean(1)) {
                        throw new SQLException("another agent writes the rows of host " + host.machineId() + " ("
                                + host.hostName() + ") in " + describe() + ": each host's /etc/machine-id must be"
                                + " unique in a fleet");
                    }
                }
            }
            try (PreparedStatement names = connection.prepareStatement(
                    "UPDATE damage SET host_name = ? WHERE host_id = ? AND host_name <> ?")) {
                names.setString(1, host.hostName());
                names.setString(2, host.machineId());
                names.setString(3, host.hostName());
                names.executeUpdate();
            }
            connection.commit();
        }

        /**
         * Unlocks the host's key before the connection closes: the server ends a closed session's locks only once it
         * has seen the session end, after the client's close has returned, and an agent started again at once (a
         * restart) would meanwhile be refused as another agent with this host's identity. Anything of the session's
         * transaction was committed or given up before a close; rolled back here so the unlock can run after a
         * failed statement. Bounded: a server cut off must not hold up the agent's stop for the socket timeout.
         */
        @Override
        public void release(Connection connection, HostIdentity host) throws SQLException {
            connection.setNetworkTimeout(Runnable::run, RELEASE_TIMEOUT_MILLIS);
            connection.rollback();
            try (PreparedStatement unlock = connection.prepareStatement("SELECT pg_advisory_unlock(?)")) {
                unlock.setLong(1, hostKey(host));
                unlock.execute();
            }
        }

        /** Closes the socket: a statement waiting on a server that does not answer fails at once. */
        @Override
        public void abort(Connection connection) {
            try {
                connection.abort(Runnable::run);
            } catch (SQLException | RuntimeException ignored) {
                // Already closed.
            }
        }

        /** The advisory lock key of a host's rows: its machine id's name-based UUID, folded to 64 bits. */
        static long hostKey(HostIdentity host) {
            UUID uuid = UUID.nameUUIDFromBytes(("daxguard-host:" + host.machineId()).getBytes(StandardCharsets.UTF_8));
            return uuid.getMostSignificantBits() ^ uuid.getLeastSignificantBits();
        }

        @Override
        public void compacted(Connection connection) {
            // Autovacuum gives dead rows' space back.
        }
    }

    /** SQLite's file of a state directory. */
    static LedgerDatabase inStateDirectory(Path stateDirectory) {
        return new SqliteFile(stateDirectory.resolve(SqliteDamageLedger.FILE_NAME));
    }
}
