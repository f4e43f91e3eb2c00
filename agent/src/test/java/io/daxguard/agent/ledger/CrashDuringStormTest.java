package io.daxguard.agent.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 in the middle of a storm: a child JVM records 10,000 tuples and says which are durable; it is
 * killed after the first 2,000 acknowledgements; every tuple acknowledged before the kill must be in the
 * ledger when it is opened again.
 */
class CrashDuringStormTest {
    private static final int TUPLES = 10_000;
    private static final int KILL_AFTER = 2_000;

    @TempDir
    Path state;

    @Test
    void everyTupleAcknowledgedBeforeAKillIsInTheLedgerAfterARestart() throws Exception {
        Set<Long> acknowledged = StormChild.runAndKill(LedgerStormDriver.class, KILL_AFTER, state.toString(),
                String.valueOf(TUPLES));

        assertThat(acknowledged).as("the storm ran until the kill").hasSizeGreaterThanOrEqualTo(KILL_AFTER);

        try (SqliteDamageLedger ledger = SqliteDamageLedger.open(state, LedgerSettings.defaults(), Clock.systemUTC())) {
            Set<Long> recorded = ledger.records().stream().map(DamageRecord::offset).collect(Collectors.toSet());
            assertThat(recorded).as("%d acknowledged before the kill, %d in the ledger", acknowledged.size(),
                    recorded.size()).containsAll(acknowledged);
        }
    }
}
