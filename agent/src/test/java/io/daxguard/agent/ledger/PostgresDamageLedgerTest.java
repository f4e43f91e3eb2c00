package io.daxguard.agent.ledger;

import com.codahale.metrics.Timer;
import java.time.Clock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The ledger suite of {@link SqliteDamageLedgerTest} on a real PostgreSQL (a cluster of the test's own), each test in
 * a fresh database: the same ledger code and migrations, only the database differs. The SQLite file's own
 * behaviour (a corrupt file moved aside, an unusable state directory, files of older schema versions) is overridden
 * here without {@code @Test}, so it is not run twice; {@link SharedLedgerTest} covers what only a shared database has.
 */
class PostgresDamageLedgerTest extends SqliteDamageLedgerTest {
    @RegisterExtension
    static final PostgresCluster POSTGRES = new PostgresCluster();
    static final HostIdentity HOST = new HostIdentity("0123456789abcdef0123456789abcdef", "box-1");

    private LedgerDatabase.Postgres database;

    @BeforeEach
    void freshDatabase() {
        database = POSTGRES.newDatabase();
    }

    @Override
    SqliteDamageLedger open(LedgerSettings settings) {
        return SqliteDamageLedger.open(database, HOST, settings, Clock.systemUTC(), new Timer());
    }

    @Override
    void aCorruptDatabaseIsMovedAsideAndSaidSo() {
        // A file's behaviour: a server keeps its own data safe.
    }

    @Override
    void writesHeldWhileTheStateDirectoryIsUnusableAreWrittenOnceItIsBack() {
        // A file's behaviour: the server going away is SharedLedgerTest's.
    }

    @Override
    void aLedgerWrittenBySchemaVersionOneIsMigratedWithItsRecords() {
        // Written in SQLite's own SQL; every migration runs on PostgreSQL in each test's fresh database.
    }

    @Override
    void aLedgerWrittenBySchemaVersionTwoIsMigratedWithItsFilesInSubvolumeZero() {
        // The same: a SQLite file of an older version.
    }
}
