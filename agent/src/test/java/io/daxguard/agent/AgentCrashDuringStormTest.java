package io.daxguard.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.jmx.ObjectNames;
import io.daxguard.agent.ledger.DamageRecord;
import io.daxguard.agent.ledger.LedgerSettings;
import io.daxguard.agent.ledger.SqliteDamageLedger;
import io.daxguard.agent.ledger.StormChild;
import io.daxguard.testkit.ScratchFilesystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * kill -9 of a whole agent during a storm of 10,000 tuples on a real XFS device: every tuple whose submit
 * future completed before the kill is in the ledger when it is opened again, and the next agent starts on the state
 * directory the killed one held.
 */
@Tag("mount")
class AgentCrashDuringStormTest {
    private static final int TUPLES = 10_000;
    private static final int KILL_AFTER = 2_000;

    @RegisterExtension
    static final ScratchFilesystem XFS = ScratchFilesystem.xfs().build();

    @Test
    void everyTupleAcknowledgedBeforeAKillIsInTheLedgerAfterARestart() throws Exception {
        Path state = Files.createTempDirectory("daxguard-storm-state-");
        try {
            Set<Long> acknowledged = stormAndKill(state);

            assertThat(acknowledged).as("the storm ran until the kill").hasSizeGreaterThanOrEqualTo(KILL_AFTER);

            try (SqliteDamageLedger ledger = SqliteDamageLedger.open(state, LedgerSettings.defaults(),
                    Clock.systemUTC())) {
                Set<Long> recorded = ledger.records().stream().map(DamageRecord::offset).collect(Collectors.toSet());
                assertThat(recorded).as("%d acknowledged before the kill, %d in the ledger", acknowledged.size(),
                        recorded.size()).containsAll(acknowledged);
            }
        } finally {
            AgentFixture.deleteTree(state);
        }
    }

    /** The kernel drops the killed agent's lock on the state directory with its descriptors: no stale lock refuses. */
    @Test
    void anAgentStartsOnTheStateDirectoryOfAnAgentKilledMidStorm() throws Exception {
        Path state = Files.createTempDirectory("daxguard-storm-state-");
        try {
            stormAndKill(state);

            try (AgentFixture next = new AgentFixture(state)) {
                assertThat(next.remote().getAttribute(ObjectNames.agent(), "Version")).isEqualTo(
                        io.daxguard.agent.daemon.Agent.version());
            }
        } finally {
            AgentFixture.deleteTree(state);
        }
    }

    private static Set<Long> stormAndKill(Path state) throws Exception {
        return StormChild.runAndKill(AgentStormDriver.class, KILL_AFTER, state.toString(),
                XFS.device().getFileName().toString(), String.valueOf(TUPLES));
    }
}
