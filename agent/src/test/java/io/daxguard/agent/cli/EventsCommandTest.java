package io.daxguard.agent.cli;

import static io.daxguard.agent.cli.SampleLedger.daxguard;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.daxguard.agent.cli.SampleLedger.Outcome;
import io.daxguard.agent.ledger.DamageRecord;
import io.daxguard.agent.ledger.DamageState;
import io.daxguard.agent.ledger.SqliteDamageLedger;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code daxguard events} on ledgers written by the real ledger code, with no agent running: the history in time
 * order, {@code --since}, {@code --json}, {@code --follow} while a ledger writer commits, and what it says when it
 * cannot read a ledger.
 */
class EventsCommandTest {
    private static final Instant T0 = Instant.parse("2026-03-01T08:00:00Z");
    private static final Duration BOUND = Duration.ofSeconds(30);

    @TempDir
    Path state;

    /** A file damaged at T0, rewritten by an operator 30 minutes later; the log damaged an hour after T0. */
    private void writeHistory() {
        try (SqliteDamageLedger ledger = SampleLedger.open(state)) {
            DamageRecord file = ledger.record(SampleLedger.file(SampleLedger.DATA, "/projects/a.bin", 131, 1 << 20, T0));
            ledger.record(SampleLedger.metadata(SampleLedger.DATA, 8192, T0.plus(1, ChronoUnit.HOURS)));
            SampleLedger.close(ledger, file, DamageState.REWRITTEN, "rewriteZeros", "alice",
                    T0.plus(30, ChronoUnit.MINUTES));
        }
    }

    @Test
    void listsDetectionsAndRepairsInTimeOrderFromAStoppedAgentsLedger() {
        writeHistory();

        Outcome events = daxguard("events", "--state-dir", state.toString());

        assertThat(events.exitCode()).isEqualTo(ExitCode.OK);
        assertThat(events.out()).containsSubsequence(
                T0 + " detected  record 1: loop3 bytes 1048576-1052671 (4 KiB) EIO, source kmsg; now REWRITTEN",
                "file /srv/data/projects/a.bin (inode 131, generation 1) data bytes 8192-12287",
                T0.plus(30, ChronoUnit.MINUTES) + " audit     rewriteZeros by alice /srv/data/projects/a.bin: ok: REWRITTEN",
                T0.plus(1, ChronoUnit.HOURS) + " detected  record 2",
                "metadata of /srv/data: journalling log (xfs.log)");
    }

    @Test
    void sinceAnInstantLeavesOutWhatCameBeforeIt() {
        writeHistory();

        Outcome events = daxguard("events", "--since", T0.plus(10, ChronoUnit.MINUTES).toString(),
                "--state-dir", state.toString());

        assertThat(events.out()).doesNotContain("record 1:").contains("rewriteZeros by alice").contains("record 2:");
    }

    @Test
    void sinceAnAgeCountsBackFromNow() {
        Instant now = Instant.now();
        try (SqliteDamageLedger ledger = SampleLedger.open(state)) {
            ledger.record(SampleLedger.file(SampleLedger.DATA, "/two-hours-ago", 131, 1 << 20, now.minus(Duration.ofHours(2))));
            ledger.record(SampleLedger.file(SampleLedger.DATA, "/ten-minutes-ago", 132, 2 << 20,
                    now.minus(Duration.ofMinutes(10))));
        }

        Outcome events = daxguard("events", "--since", "1h", "--state-dir", state.toString());

        assertThat(events.out()).contains("/srv/data/ten-minutes-ago").doesNotContain("two-hours-ago");
    }

    @Test
    void jsonIsOneObjectPerEventAndLine() throws Exception {
        writeHistory();

        Outcome events = daxguard("events", "--json", "--state-dir", state.toString());

        List<JsonNode> lines = new ArrayList<>();
        for (String line : events.out().split("\n")) {
            lines.add(new ObjectMapper().readTree(line));
        }
        assertThat(lines).extracting(line -> line.get("event").asText())
                .containsExactly("detected", "audit", "detected");
        assertThat(lines.get(0).get("owners").get(0).get("paths").get(0).asText()).isEqualTo("/projects/a.bin");
        assertThat(lines.get(0).get("state").asText()).isEqualTo("REWRITTEN");
        assertThat(lines.get(1).get("principal").asText()).isEqualTo("alice");
        assertThat(lines.get(2).get("owners").get(0).get("repairHint").asText()).contains("xfs_repair");
    }

    @Test
    void followPrintsWhatARunningLedgerCommitsAfterTheListing() throws Exception {
        try (SqliteDamageLedger running = SampleLedger.open(state)) {
            running.record(SampleLedger.file(SampleLedger.DATA, "/before.bin", 131, 1 << 20, T0));
            WatchedOutput out = new WatchedOutput();
            AtomicInteger exit = new AtomicInteger(-1);
            Thread follower = new Thread(() -> exit.set(DaxguardCommand.execute(
                    new String[] {"events", "--follow", "--state-dir", state.toString()}, new PrintWriter(out),
                    new PrintWriter(new StringWriter()))), "events-follow");
            follower.start();
            try {
                out.await(text -> text.contains("/srv/data/before.bin"), BOUND);

                DamageRecord later = running.record(SampleLedger.file(SampleLedger.DATA, "/after.bin", 132, 2 << 20,
                        T0.plusSeconds(1)));
                SampleLedger.close(running, later, DamageState.ACKNOWLEDGED, "acknowledgeLoss", "bob", T0.plusSeconds(2));

                String text = out.await(printed -> printed.contains("acknowledgeLoss by bob"), BOUND);
                assertThat(text).containsSubsequence("/srv/data/before.bin", "/srv/data/after.bin",
                        "acknowledgeLoss by bob");
                assertThat(text.split("/srv/data/before.bin", -1)).hasSize(2); // printed once
            } finally {
                follower.interrupt();
                follower.join(BOUND.toMillis());
            }
            assertThat(follower.isAlive()).isFalse();
            assertThat(exit.get()).isEqualTo(ExitCode.OK);
        }
    }

    @Test
    void anEmptyLedgerSaysThereIsNothing() {
        SampleLedger.open(state).close();

        Outcome events = daxguard("events", "--state-dir", state.toString());

        assertThat(events.exitCode()).isEqualTo(ExitCode.OK);
        assertThat(events.out()).startsWith("no events in " + state.resolve("ledger.db"));
    }

    @Test
    void aStateDirectoryWithoutALedgerFailsSayingSo() {
        Outcome events = daxguard("events", "--state-dir", state.toString());

        assertThat(events.exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(events.err()).startsWith("daxguard: no ledger in " + state + ": there is no ledger.db");
    }

    @Test
    void aCorruptLedgerFailsSayingSo() throws Exception {
        Files.writeString(state.resolve("ledger.db"), "not a database at all; ".repeat(200));

        Outcome events = daxguard("events", "--state-dir", state.toString());

        assertThat(events.exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(events.err()).contains("cannot read the ledger " + state.resolve("ledger.db"))
                .contains("not a SQLite database, or it is corrupt");
    }

    @Test
    void theStateDirectoryIsFoundThroughTheConfiguration() throws Exception {
        writeHistory();
        Path config = Files.writeString(state.resolveSibling(state.getFileName() + ".yaml"),
                "stateDirectory: " + state + "\n");
        try {
            Outcome events = daxguard("events", "--config", config.toString());

            assertThat(events.exitCode()).isEqualTo(ExitCode.OK);
            assertThat(events.out()).contains("rewriteZeros by alice");
        } finally {
            Files.delete(config);
        }
    }

    @Test
    void anInvalidConfigurationIsRefusedAsSuch() throws Exception {
        Path config = Files.writeString(state.resolve("daxguard.yaml"), "stateDirectory: [not, a, path]\n");

        Outcome events = daxguard("events", "--config", config.toString());

        assertThat(events.exitCode()).isEqualTo(ExitCode.BAD_CONFIG);
        assertThat(events.err()).contains("stateDirectory");
    }
}
