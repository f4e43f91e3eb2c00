package io.daxguard.agent.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
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
        Process child = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), LedgerStormDriver.class.getName(), state.toString(),
                String.valueOf(TUPLES))).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Set<Long> acknowledged = new HashSet<>();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.startsWith("ack ")) {
                    acknowledged.add(Long.parseLong(line.substring(4)));
                    if (acknowledged.size() == KILL_AFTER) {
                        // kill -9: no shutdown hook, no flush, no close. (Process.destroyForcibly would also
                        // close our end of its output, losing acknowledgements already in the pipe.)
                        new ProcessBuilder("kill", "-9", String.valueOf(child.pid())).start().waitFor();
                    }
                }
            }
        } finally {
            child.destroyForcibly();
            child.waitFor();
        }

        assertThat(acknowledged).as("the storm ran until the kill").hasSizeGreaterThanOrEqualTo(KILL_AFTER);

        try (SqliteDamageLedger ledger = SqliteDamageLedger.open(state, LedgerSettings.defaults(), Clock.systemUTC())) {
            Set<Long> recorded = ledger.records().stream().map(DamageRecord::offset).collect(Collectors.toSet());
            assertThat(recorded).as("%d acknowledged before the kill, %d in the ledger", acknowledged.size(),
                    recorded.size()).containsAll(acknowledged);
        }
    }
}
