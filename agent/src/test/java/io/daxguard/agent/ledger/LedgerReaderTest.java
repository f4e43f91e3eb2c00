package io.daxguard.agent.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The read-only reader of a state directory's ledger, on real SQLite files written by the real ledger; no root
 * needed.
 */
class LedgerReaderTest {
    private static final LedgerSettings FAST_RETRY = LedgerSettings.defaults().withRetryInterval(Duration.ofMillis(50));

    @TempDir
    Path state;

    private SqliteDamageLedger open() {
        return SqliteDamageLedger.open(state, FAST_RETRY, Clock.systemUTC());
    }

    @Test
    void readsEveryRecordAndTheAuditTrailAsTheLedgerReplaysThem() throws Exception {
        List<DamageRecord> written;
        try (SqliteDamageLedger ledger = open()) {
            DamageRecord shared = ledger.record(LedgerSamples.sharedBlock(1 << 20));
            ledger.record(LedgerSamples.mixed(2 << 20));
            ledger.record(LedgerSamples.unowned(3 << 20));
            ledger.change(List.of(new StateChange(shared.id(), 0, DamageState.REWRITTEN, null)),
                    LedgerSamples.audit("rewriteZeros", "ok: rewritten"));
            written = ledger.records();
        }

        try (LedgerReader reader = LedgerReader.open(state)) {
            assertThat(reader.records()).isEqualTo(written);
            assertThat(reader.audit()).extracting(row -> row.entry().action()).containsExactly("rewriteZeros");
            assertThat(reader.schemaVersion()).isEqualTo(LedgerSchema.LATEST);
        }
    }

    @Test
    void seesWhatARunningLedgerCommittedToItsWriteAheadLog() throws Exception {
        try (SqliteDamageLedger running = open(); LedgerReader reader = LedgerReader.open(state)) {
            long before = reader.changeCount();
            DamageRecord committed = running.record(LedgerSamples.sharedBlock(1 << 20));

            assertThat(reader.changeCount()).isNotEqualTo(before);
            assertThat(reader.records()).containsExactly(committed);
            assertThat(reader.complete()).isTrue();
        }
    }

    @Test
    void aReaderOfAStoppedAgentsLedgerSeesWhatAnAgentStartedLaterCommits() throws Exception {
        try (SqliteDamageLedger ledger = open()) {
            ledger.record(LedgerSamples.unowned(1 << 20));
        }
        try (LedgerReader reader = LedgerReader.open(state)) {
            long before = reader.changeCount();
            assertThat(reader.records()).hasSize(1);

            try (SqliteDamageLedger started = open()) {
                DamageRecord committed = started.record(LedgerSamples.sharedBlock(2 << 20));

                assertThat(reader.changeCount()).isNotEqualTo(before);
                assertThat(reader.records()).hasSize(2).last().isEqualTo(committed);
            }
        }
    }

    @Test
    void readsOnlyWhatCameAfterTheIdsItWasGiven() throws Exception {
        try (SqliteDamageLedger ledger = open()) {
            DamageRecord first = ledger.record(LedgerSamples.sharedBlock(1 << 20));
            ledger.audit(LedgerSamples.audit("verify", "still bad"));
            DamageRecord second = ledger.record(LedgerSamples.unowned(2 << 20));
            ledger.audit(LedgerSamples.audit("acknowledgeLoss", "ok"));

            try (LedgerReader reader = LedgerReader.open(state)) {
                long firstAudit = reader.audit().get(0).id();
                assertThat(reader.recordsAfter(first.id())).containsExactly(second);
                assertThat(reader.auditAfter(firstAudit)).extracting(row -> row.entry().action())
                        .containsExactly("acknowledgeLoss");
            }
        }
    }

    @Test
    void readingAStoppedAgentsLedgerChangesNoByteOfIt() throws Exception {
        try (SqliteDamageLedger ledger = open()) {
            ledger.record(LedgerSamples.sharedBlock(1 << 20));
        }
        String before = digest(state.resolve("ledger.db"));
        List<Path> files;
        try (var listing = Files.list(state)) {
            files = listing.sorted().toList();
        }

        try (LedgerReader reader = LedgerReader.open(state)) {
            reader.records();
            reader.audit();
            assertThat(reader.complete()).isTrue();
        }

        assertThat(digest(state.resolve("ledger.db"))).isEqualTo(before);
        try (var listing = Files.list(state)) {
            assertThat(listing.sorted().toList()).isEqualTo(files);
        }
    }

    @Test
    void readsALedgerOfTheFirstSchemaAsTheMigrationWouldShowIt() throws Exception {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + state.resolve("ledger.db"));
             Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)");
            for (String sql : LedgerSchema.MIGRATIONS.get(0).statements()) {
                statement.execute(sql);
            }
            statement.execute("INSERT INTO schema_version (version) VALUES (1)");
            statement.execute("INSERT INTO damage VALUES (7, '7:3', 'loop3', 4096, 512, 5, 'kmsg', 1000, 2000, 2, "
                    + "'OPEN', NULL)");
            statement.execute("INSERT INTO damage_owner VALUES (7, 0, 'uuid-1', '/mnt/data', 'xfs', 'FILE', 4096, 512, "
                    + "131, 7, 'DATA', 0, 0, 0, NULL, NULL, NULL, '/a.bin', 'OPEN')");
        }

        try (LedgerReader reader = LedgerReader.open(state)) {
            DamageRecord record = reader.records().get(0);
            assertThat(reader.schemaVersion()).isEqualTo(1);
            assertThat(record.id()).isEqualTo(7);
            assertThat(record.medium()).isEmpty();
            assertThat(record.inheritedFrom()).isZero();
            assertThat(record.owners().get(0).filesystem().device()).isEqualTo(record.device());
            assertThat(record.owners().get(0).paths()).containsExactly("/a.bin");
        }
    }

    @Test
    void refusesALedgerOfANewerDaxguardSayingSo() throws Exception {
        try (SqliteDamageLedger ledger = open()) {
            ledger.record(LedgerSamples.unowned(1 << 20));
        }
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + state.resolve("ledger.db"));
             Statement statement = connection.createStatement()) {
            statement.execute("UPDATE schema_version SET version = " + (LedgerSchema.LATEST + 1));
        }

        assertThatThrownBy(() -> LedgerReader.open(state)).isInstanceOf(LedgerReader.UnreadableLedgerException.class)
                .hasMessageContaining("schema version " + (LedgerSchema.LATEST + 1))
                .hasMessageContaining("newer than this daxguard");
    }

    @Test
    void aStateDirectoryWithoutALedgerIsSaidToHaveNone() {
        assertThatThrownBy(() -> LedgerReader.open(state)).isInstanceOf(LedgerReader.UnreadableLedgerException.class)
                .hasMessageContaining("no ledger in " + state).hasMessageContaining("there is no ledger.db");
    }

    @Test
    void aMissingStateDirectoryIsSaidToBeMissing() {
        Path missing = state.resolve("nowhere");

        assertThatThrownBy(() -> LedgerReader.open(missing)).isInstanceOf(LedgerReader.UnreadableLedgerException.class)
                .hasMessageContaining("no ledger in " + missing + ": the directory does not exist");
    }

    @Test
    void aFileThatIsNotADatabaseIsSaidToBeCorrupt() throws Exception {
        Files.write(state.resolve("ledger.db"), "this is not a database, it is sixty-four bytes of plain text....."
                .repeat(64).getBytes());

        assertThatThrownBy(() -> LedgerReader.open(state).records())
                .isInstanceOf(LedgerReader.UnreadableLedgerException.class)
                .hasMessageContaining("cannot read the ledger " + state.resolve("ledger.db"))
                .hasMessageContaining("not a SQLite database, or it is corrupt");
    }

    @Test
    void anEmptyDatabaseIsNotTakenForAnEmptyLedger() throws Exception {
        Files.createFile(state.resolve("ledger.db"));

        assertThatThrownBy(() -> LedgerReader.open(state)).isInstanceOf(LedgerReader.UnreadableLedgerException.class)
                .hasMessageContaining("no daxguard schema");
    }

    @Test
    void aLedgerThatIsADirectoryIsNotOpened() throws Exception {
        Files.createDirectory(state.resolve("ledger.db"));

        assertThatThrownBy(() -> LedgerReader.open(state)).isInstanceOf(LedgerReader.UnreadableLedgerException.class)
                .hasMessageContaining("not a regular file");
    }

    private static String digest(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
