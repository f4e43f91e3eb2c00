package io.daxguard.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import io.daxguard.agent.hooks.HookSettings;
import io.daxguard.agent.hooks.HooksSettings;
import io.daxguard.agent.ledger.AuditEntry;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.testkit.ScratchFilesystem;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A hook that never ends (a process that sleeps, and a child it started that sleeps too) holds neither detection
 * nor another hook: damage reported meanwhile is recorded and the other hook runs for it; at its timeout the hook
 * and its child are killed and the run is audited as killed.
 */
@Tag("mount")
class HungHookTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    private static final Duration BOUND = Duration.ofSeconds(90); // against hanging only
    private static final String FILE_DAMAGED = "io.daxguard.file.damaged";
    private static final MetricRegistry METRICS = new MetricRegistry();

    @RegisterExtension
    static final ScratchFilesystem XFS = ScratchFilesystem.xfs().build();

    @RegisterExtension
    static final HookDirectory HOOKS = new HookDirectory();

    @RegisterExtension
    @Order(Integer.MAX_VALUE)
    static final RunningAgent AGENT = RunningAgent.startedAfter(HungHookTest::writeHooks, settings -> settings
            .withMetrics(METRICS)
            .withHooks(new HooksSettings(List.of(
                    new HookSettings("notify.exec[0]", HOOKS.file("hang.sh"), Set.of(FILE_DAMAGED), TIMEOUT),
                    new HookSettings("notify.exec[1]", HOOKS.file("note.sh"), Set.of(FILE_DAMAGED), TIMEOUT)),
                    4, 64)));

    private static void writeHooks() throws Exception {
        // A child that outlives nothing it is told: only killing the tree ends it.
        // The pid is written whole before the file has its name (a rename), so a reader never sees it half done.
        HOOKS.script("hang.sh", "sleep 100000 &\necho $! > \"$DIR/.child-$$\"\n"
                + "mv \"$DIR/.child-$$\" \"$DIR/child-${DAXGUARD_PATH#/}\"\nwait");
        HOOKS.script("note.sh", "echo \"$DAXGUARD_PATH\" > \"$DIR/noted-${DAXGUARD_PATH#/}\"");
    }

    @BeforeAll
    static void followRuns() {
        AGENT.agent().hooks().onAudited(HOOKS::audited);
    }

    private static void damage(String name, long seed) throws Exception {
        AgentFixture.writeFile(XFS.path(name), 64 * 1024, seed);
        FiemapExtent extent = AgentFixture.extents(XFS.path(name)).get(0);
        AgentCalls.reportFailure(AGENT.remote(), XFS.device().getFileName().toString(),
                (extent.physical() + 4096) / 512, 1L, 5);
    }

    private static boolean recorded(String path) {
        return AGENT.agent().ledger().records().stream()
                .anyMatch(record -> record.owners().stream().anyMatch(owner -> owner.paths().contains(path)));
    }

    private static AuditEntry awaitRun(String program, String path) throws InterruptedException {
        return HOOKS.awaitRun(run -> run.principal().equals("hook:" + HOOKS.file(program)) && run.path().equals(path),
                BOUND);
    }

    private static List<AuditEntry> runsOf(String program, String path) {
        return HOOKS.runs(run -> run.principal().equals("hook:" + HOOKS.file(program)) && run.path().equals(path));
    }

    @Test
    void damageReportedWhileAHookHangsIsRecordedAndAnotherHookRunsForItBeforeTheHungOneIsKilled() throws Exception {
        damage("first.bin", 1);
        HOOKS.awaitFiles("child-first.bin", 1, BOUND); // hang.sh runs for the first damage

        damage("second.bin", 2);
        AuditEntry noted = awaitRun("note.sh", "/second.bin");

        assertThat(recorded("/second.bin")).as("second damage recorded").isTrue();
        assertThat(noted.result()).startsWith("ok: exit 0");
        assertThat(runsOf("hang.sh", "/first.bin")).as("the hung run, not yet ended").isEmpty();
    }

    @Test
    void aHungHookIsKilledWithTheProcessesItStartedAtItsTimeoutAndThatIsAudited() throws Exception {
        damage("third.bin", 3);
        long child = Long.parseLong(Files.readString(HOOKS.awaitFiles("child-third.bin", 1, BOUND).get(0)).trim());

        AuditEntry killed = awaitRun("hang.sh", "/third.bin");

        assertThat(killed.result()).isEqualTo("failed: killed after timeout (" + TIMEOUT.toSeconds() + " s)");
        Optional<ProcessHandle> stillThere = ProcessHandle.of(child);
        if (stillThere.isPresent()) { // killed and not reaped yet: it ends without anyone else's help
            stillThere.get().onExit().get(10, TimeUnit.SECONDS);
        }
        assertThat(METRICS.counter("hooks.timeouts").getCount()).isPositive();
    }
}
