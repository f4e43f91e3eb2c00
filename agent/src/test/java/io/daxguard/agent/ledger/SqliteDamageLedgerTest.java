package io.daxguard.agent.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The durable ledger on a real SQLite file in a temporary directory; no root needed. {@link PostgresDamageLedgerTest}
 * runs the same behaviour on PostgreSQL by opening the ledger there ({@link #open(LedgerSettings)}).
 */
class SqliteDamageLedgerTest {
    static final LedgerSettings FAST_RETRY = LedgerSettings.defaults().withRetryInterval(Duration.ofMillis(50));

    @TempDir
    Path state;

    private SqliteDamageLedger open() {
        return open(FAST_RETRY);
    }

    /** The ledger under test, opened (again) with {@code settings}. */
    SqliteDamageLedger open(LedgerSettings settings) {
        return SqliteDamageLedger.open(state, settings, Clock.systemUTC());
    }

    @Test
    void everyKindOfRecordReadsBackTheSameAfterAReopen() {
        List<DamageRecord> before;
        try (SqliteDamageLedger ledger = open()) {
            ledger.record(LedgerSamples.sharedBlock(1 << 20));
            ledger.record(LedgerSamples.mixed(2 << 20));
            ledger.record(LedgerSamples.unowned(3 << 20));
            ledger.seenAgain(1, LedgerSamples.AT.plusSeconds(5));
            before = ledger.records();
        }

        try (SqliteDamageLedger reopened = open()) {
            assertThat(reopened.records()).isEqualTo(before);
        }
    }

    @Test
    void closingOneSharerLeavesTheOtherOpenAcrossARestart() {
        try (SqliteDamageLedger ledger = open()) {
            DamageRecord record = ledger.record(LedgerSamples.sharedBlock(1 << 20));
            ledger.change(List.of(new StateChange(record.id(), 0, DamageState.REWRITTEN, null)),
                    LedgerSamples.audit("rewriteZeros", "ok"));
        }

        try (SqliteDamageLedger reopened = open()) {
            DamageRecord record = reopened.records().get(0);
            assertThat(record.owners()).extracting(AffectedOwner::state)
                    .containsExactly(DamageState.REWRITTEN, DamageState.OPEN);
            assertThat(record.state()).isEqualTo(DamageState.OPEN);
        }
    }

    @Test
    void aRecordIsClosedWithTheStateOfItsLastOpenOwner() {
        try (SqliteDamageLedger ledger = open()) {
            DamageRecord record = ledger.record(LedgerSamples.sharedBlock(1 << 20));
            ledger.change(List.of(new StateChange(record.id(), 0, DamageState.REWRITTEN, null),
                    new StateChange(record.id(), 1, DamageState.RESTORED, null)), LedgerSamples.audit("restore", "ok"));
        }

        try (SqliteDamageLedger reopened = open()) {
            assertThat(reopened.records().get(0).state()).isEqualTo(DamageState.RESTORED);
        }
    }

    @Test
    void theAuditTrailOfAFileSurvivesARestart() {
        try (SqliteDamageLedger ledger = open()) {
            ledger.record(LedgerSamples.sharedBlock(1 << 20));
            ledger.audit(LedgerSamples.audit("verify", "still damaged: 1 range reads EIO"));
        }

        try (SqliteDamageLedger reopened = open()) {
            assertThat(reopened.history(LedgerSamples.fileA())).containsExactly(
                    LedgerSamples.audit("verify", "still damaged: 1 range reads EIO"));
        }
    }

    @Test
    void aFileOfASubvolumeAndItsAuditKeepTheirSubvolumeAcrossARestart() {
        FileKey snapshotCopy = FileKey.inSubvolume("0b1c-uuid", "/mnt/data", 256, 257, 7);
        try (SqliteDamageLedger ledger = open()) {
            ledger.record(new Damage(LedgerSamples.DEVICE, "loop3", 1 << 20, 4096, 5, "kmsg", LedgerSamples.AT,
                    List.of(new AffectedOwner(LedgerSamples.FILESYSTEM, new io.daxguard.spi.FileOwner(257, 7,
                            io.daxguard.spi.Fork.DATA, 0, 1 << 20, 4096, true, false, 256),
                            List.of("/snapshots/monday/file")))));
            ledger.audit(new AuditEntry(LedgerSamples.AT, "operator", "verify", snapshotCopy,
                    "/snapshots/monday/file", "still damaged"));
        }

        try (SqliteDamageLedger reopened = open()) {
            assertThat(reopened.records().get(0).owners().get(0).fileKey().orElseThrow().subvolume()).isEqualTo(256);
            assertThat(reopened.history(snapshotCopy)).singleElement()
                    .satisfies(entry -> assertThat(entry.file().subvolume()).isEqualTo(256));
            assertThat(reopened.history(FileKey.inSubvolume("0b1c-uuid", "/mnt/data", 5, 257, 7))).isEmpty();
        }
    }

    @Test
    void newRecordsAfterARestartGetNewIds() {
        try (SqliteDamageLedger ledger = open()) {
            ledger.record(LedgerSamples.unowned(0));
        }

        try (SqliteDamageLedger reopened = open()) {
            assertThat(reopened.record(LedgerSamples.unowned(4096)).id()).isEqualTo(2);
        }
    }

    @Test
    void onlyTheNewestClosedRecordsAreKept() {
        try (SqliteDamageLedger ledger = open(FAST_RETRY.withKeepClosed(2))) {
            for (int i = 0; i < 5; i++) {
                DamageRecord record = ledger.record(LedgerSamples.unowned(i * 4096L));
                ledger.change(List.of(new StateChange(record.id(), -1, DamageState.ACKNOWLEDGED, null)),
                        LedgerSamples.audit("acknowledgeLoss", "ok"));
            }
            ledger.record(LedgerSamples.unowned(1 << 20));
        }

        try (SqliteDamageLedger reopened = open()) {
            assertThat(reopened.records()).extracting(DamageRecord::id).containsExactly(4L, 5L, 6L);
        }
    }

    @Test
    void aCorruptDatabaseIsMovedAsideAndSaidSo() throws IOException {
        Files.write(state.resolve(SqliteDamageLedger.FILE_NAME), new byte[8192]);

        try (SqliteDamageLedger ledger = open()) {
            assertThat(ledger.health().message()).contains("corrupt").contains("moved to " + state);
        }
    }

    @Test
    void writesHeldWhileTheStateDirectoryIsUnusableAreWrittenOnceItIsBack() throws Exception {
        Path blocked = state.resolve("blocked");
        Files.writeString(blocked, "a file where the state directory should be");
        try (SqliteDamageLedger ledger = SqliteDamageLedger.open(blocked, FAST_RETRY, Clock.systemUTC())) {
            var durable = ledger.recordAsync(LedgerSamples.unowned(0));
            assertThat(ledger.health().durable()).isFalse();

            Files.delete(blocked);
            // The ledger's retry may make the directory itself once the file is gone: either way it is back.
            Files.createDirectories(blocked);
            durable.get();
        }

        try (SqliteDamageLedger reopened = SqliteDamageLedger.open(blocked, FAST_RETRY, Clock.systemUTC())) {
            assertThat(reopened.records()).hasSize(1);
        }
    }

    @Test
    void anInheritedRecordKeepsItsOriginAndItsDiskAcrossARestart() {
        DamageRecord inherited;
        try (SqliteDamageLedger ledger = open()) {
            DamageRecord old = ledger.record(LedgerSamples.unowned(0));
            Damage again = LedgerSamples.mixed(0);
            inherited = ledger.record(new Damage(again.device(), again.deviceName(), again.offset(), again.length(),
                    again.errno(), "inherited:" + again.source(), again.observedAt(), again.owners(),
                    "loop-backing 254:1 inode 77", old.id()));
        }

        try (SqliteDamageLedger reopened = open()) {
            DamageRecord back = reopened.find(inherited.id()).orElseThrow();
            assertThat(back.inheritedFrom()).isEqualTo(1);
            assertThat(back.medium()).isEqualTo("loop-backing 254:1 inode 77");
            assertThat(back.filesystem()).contains(LedgerSamples.FILESYSTEM);
        }
    }

    @Test
    void damageOfAGoneFilesystemIsNeverCompactedAway() {
        try (SqliteDamageLedger ledger = open(FAST_RETRY.withKeepClosed(0))) {
            DamageRecord gone = ledger.record(LedgerSamples.unowned(0));
            ledger.change(List.of(new StateChange(gone.id(), -1, DamageState.FILESYSTEM_GONE, null)),
                    LedgerSamples.audit("filesystem gone", "ok"));
            DamageRecord closed = ledger.record(LedgerSamples.unowned(4096));
            ledger.change(List.of(new StateChange(closed.id(), -1, DamageState.ACKNOWLEDGED, null)),
                    LedgerSamples.audit("acknowledgeLoss", "ok"));
        }

        try (SqliteDamageLedger reopened = open()) {
            assertThat(reopened.records()).extracting(DamageRecord::state).containsExactly(DamageState.FILESYSTEM_GONE);
        }
    }

    @Test
    void aLedgerWrittenBySchemaVersionOneIsMigratedWithItsRecords() throws Exception {
        try (java.sql.Connection v1 = java.sql.DriverManager.getConnection("jdbc:sqlite:"
                + state.resolve(SqliteDamageLedger.FILE_NAME));
             java.sql.Statement sql = v1.createStatement()) {
            sql.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)");
            for (String statement : LedgerSchema.MIGRATIONS.get(0).statements()) {
                sql.execute(statement);
            }
            sql.execute("INSERT INTO schema_version VALUES (1)");
            sql.execute("INSERT INTO damage VALUES (1, '7:3', 'loop3', 4096, 512, 5, 'kmsg', 0, 0, 1, 'OPEN', NULL)");
            sql.execute("INSERT INTO damage_owner (damage_id, owner_index, fs_uuid, mount_point, fs_type, kind, "
                    + "physical_offset, length, paths, state) VALUES (1, 0, 'u-1', '/mnt/a', 'xfs', 'FREE', 4096, 512, "
                    + "'', 'OPEN')");
        }

        try (SqliteDamageLedger migrated = open()) {
            DamageRecord record = migrated.records().get(0);
            assertThat(record.filesystem().orElseThrow().device()).isEqualTo(LedgerSamples.DEVICE);
            assertThat(record.medium()).isEmpty();
            assertThat(record.inheritedFrom()).isZero();
        }
    }

    @Test
    void aLedgerWrittenBySchemaVersionTwoIsMigratedWithItsFilesInSubvolumeZero() throws Exception {
        try (java.sql.Connection v2 = java.sql.DriverManager.getConnection("jdbc:sqlite:"
                + state.resolve(SqliteDamageLedger.FILE_NAME));
             java.sql.Statement sql = v2.createStatement()) {
            sql.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)");
            for (LedgerSchema.Migration migration : LedgerSchema.MIGRATIONS.subList(0, 2)) {
                for (String statement : migration.statements()) {
                    sql.execute(statement);
                }
            }
            sql.execute("INSERT INTO schema_version VALUES (2)");
            sql.execute("INSERT INTO damage VALUES (1, '7:3', 'loop3', 4096, 512, 5, 'kmsg', 0, 0, 1, 'OPEN', NULL, '',"
                    + " 0)");
            sql.execute("INSERT INTO damage_owner (damage_id, owner_index, fs_uuid, mount_point, fs_type, kind, "
                    + "physical_offset, length, inode, generation, fork, file_offset, is_shared, is_unwritten, paths, "
                    + "state) VALUES (1, 0, 'u-1', '/mnt/a', 'xfs', 'FILE', 4096, 512, 131, 7, 'DATA', 0, 0, 0, '/f', "
                    + "'OPEN')");
        }

        try (SqliteDamageLedger migrated = open()) {
            assertThat(migrated.records().get(0).owners().get(0).fileKey().orElseThrow())
                    .isEqualTo(new FileKey("u-1", "/mnt/a", 131, 7))
                    .satisfies(key -> assertThat(key.subvolume()).isZero());
        }
    }
}
