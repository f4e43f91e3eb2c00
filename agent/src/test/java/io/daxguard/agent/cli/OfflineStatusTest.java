package io.daxguard.agent.cli;

import static io.daxguard.agent.cli.SampleLedger.daxguard;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.daxguard.agent.cli.SampleLedger.Outcome;
import io.daxguard.agent.ledger.AuditEntry;
import io.daxguard.agent.ledger.DamageRecord;
import io.daxguard.agent.ledger.DamageState;
import io.daxguard.agent.ledger.FileKey;
import io.daxguard.agent.ledger.FilesystemRef;
import io.daxguard.agent.ledger.SqliteDamageLedger;
import io.daxguard.agent.ledger.StateChange;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code daxguard status --offline} on ledgers written by the real ledger code, with no agent: damaged files, metadata
 * with its repair hint, unowned device damage, the damage of a filesystem that is gone, and the exit codes.
 */
class OfflineStatusTest {
    private static final Instant T0 = Instant.parse("2026-03-01T08:00:00Z");

    @TempDir
    Path state;

    /** Open damage of every kind on /srv/data, damage of a filesystem that is gone, and unowned damage. */
    private long writeEveryKind() {
        try (SqliteDamageLedger ledger = SampleLedger.open(state)) {
            ledger.record(SampleLedger.file(SampleLedger.DATA, "/projects/b.bin", 132, 3 << 20, T0));
            ledger.record(SampleLedger.metadata(SampleLedger.DATA, 8192, T0.plusSeconds(1)));
            ledger.record(SampleLedger.free(SampleLedger.DATA, 5 << 20, T0.plusSeconds(2)));
            ledger.record(SampleLedger.unowned(9 << 20, T0.plusSeconds(3)));
            DamageRecord old = ledger.record(SampleLedger.file(SampleLedger.OLD, "/x.bin", 12, 7 << 20,
                    T0.minusSeconds(600)));
            ledger.change(List.of(new StateChange(old.id(), 0, DamageState.FILESYSTEM_GONE, null)), new AuditEntry(
                    T0.plusSeconds(4), "agent", "device history", FileKey.NONE, "", "FILESYSTEM_GONE: re-made"));
            return old.id();
        }
    }

    @Test
    void showsEveryKindOfOpenDamageFromTheLedgerAlone() {
        long gone = writeEveryKind();

        Outcome status = daxguard("status", "--offline", "--state-dir", state.toString());

        assertThat(status.exitCode()).isEqualTo(ExitCode.DAMAGE);
        assertThat(status.out()).containsSubsequence(
                "  filesystem: /srv/data",
                "        type: xfs on loop3 (7:3), uuid 1111-data",
                "       state: UNHEALTHY",
                "      errors: 1 damaged file(s), 1 damaged metadata range(s), 4 KiB in free space",
                "  damaged files:",
                "        /srv/data/projects/b.bin  (inode 132, generation 1)",
                "  metadata damage:",
                "xfs.log          journalling log, fs bytes 8192-8703 (512 B). Unmount /srv/data and run xfs_repair",
                "damage of filesystems that are gone:",
                "        loop3      bytes 7340032-7344127 (4 KiB)  EIO  record " + gone + " of ext4 2222-old (was at /srv/old)",
                "unowned device damage:",
                "        loop3      bytes 9437184-9437695 (512 B)  ENODATA");
        assertThat(status.out()).doesNotContain("filesystem: /srv/old").doesNotContain("data bytes 8192-12287");
    }

    @Test
    void verboseListsEveryDamagedRange() {
        writeEveryKind();

        Outcome status = daxguard("status", "--offline", "-v", "--state-dir", state.toString());

        assertThat(status.out()).containsSubsequence("/srv/data/projects/b.bin  (inode 132, generation 1)",
                "          data bytes 8192-12287 (4 KiB)  EIO  kmsg  OPEN");
    }

    @Test
    void jsonNamesTheSameDamage() throws Exception {
        long gone = writeEveryKind();

        Outcome status = daxguard("status", "--offline", "--json", "--state-dir", state.toString());

        JsonNode document = new ObjectMapper().readTree(status.out());
        JsonNode filesystem = document.get("filesystems").get(0);
        assertThat(document.get("filesystems")).hasSize(1);
        assertThat(filesystem.get("uuid").asText()).isEqualTo("1111-data");
        assertThat(filesystem.get("health").asText()).isEqualTo("UNHEALTHY");
        assertThat(filesystem.get("damagedFiles").get(0).get("paths").get(0).asText()).isEqualTo("/projects/b.bin");
        assertThat(filesystem.get("metadataDamage").get(0).get("action").asText()).contains("xfs_repair");
        assertThat(document.get("unownedDamage").get(0).get("errno").asInt()).isEqualTo(61);
        assertThat(document.get("goneFilesystemDamage").get(0).get("recordId").asLong()).isEqualTo(gone);
    }

    @Test
    void aFilesystemRemountedElsewhereIsOneFilesystemUnderItsLatestMountPoint() {
        FilesystemRef before = new FilesystemRef("1111-data", SampleLedger.DEVICE, "/mnt/first", "xfs");
        try (SqliteDamageLedger ledger = SampleLedger.open(state)) {
            ledger.record(SampleLedger.file(before, "/early.bin", 140, 1 << 20, T0));
            ledger.record(SampleLedger.file(SampleLedger.DATA, "/late.bin", 141, 2 << 20, T0.plusSeconds(60)));
        }

        Outcome status = daxguard("status", "--offline", "--state-dir", state.toString());

        assertThat(status.out()).containsSubsequence("  filesystem: /srv/data", "errors: 2 damaged file(s)",
                "/srv/data/early.bin", "/srv/data/late.bin").doesNotContain("/mnt/first");
    }

    @Test
    void onlyClosedDamageIsHealthy() {
        try (SqliteDamageLedger ledger = SampleLedger.open(state)) {
            DamageRecord file = ledger.record(SampleLedger.file(SampleLedger.DATA, "/a.bin", 131, 1 << 20, T0));
            SampleLedger.close(ledger, file, DamageState.RESTORED, "restoreFrom", "alice", T0.plusSeconds(60));
        }

        Outcome status = daxguard("status", "--offline", "--state-dir", state.toString());

        assertThat(status.exitCode()).isEqualTo(ExitCode.OK);
        assertThat(status.out()).contains("no filesystem has open damage in the ledger")
                .contains("1 other filesystem(s) in the ledger have only closed damage");
    }

    @Test
    void aStateDirectoryWithoutALedgerFailsSayingSo() {
        Outcome status = daxguard("status", "--offline", "--state-dir", state.toString());

        assertThat(status.exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(status.err()).startsWith("daxguard: no ledger in " + state);
    }
}
