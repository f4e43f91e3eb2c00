package io.daxguard.agent.ledger;

import static io.daxguard.agent.ledger.SharedLedgerTest.BOX_A;
import static io.daxguard.agent.ledger.SharedLedgerTest.DATA_A;
import static io.daxguard.agent.ledger.SharedLedgerTest.damage;
import static io.daxguard.agent.ledger.SharedLedgerTest.open;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A shared ledger's close: while its server does not answer (every server process stopped with SIGSTOP, as a hung
 * server or one cut off by the network) it ends the ledger's work, its writer thread included, rather than leaving it
 * waiting on the server after the agent has stopped; with a batch the server keeps refusing, it commits nothing of it
 * and the same host's agent started again at once is durable at once, with every committed record once.
 */
class SharedLedgerStopTest {
    @RegisterExtension
    static final PostgresCluster POSTGRES = new PostgresCluster();

    @AfterEach
    void serverRunsForTheNextTest() throws Exception {
        POSTGRES.thaw();
        POSTGRES.ensureRunning();
    }

    private static Set<Thread> ledgerWriters() {
        Set<Thread> writers = new HashSet<>();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().equals("daxguard-ledger-writer") && thread.isAlive()) {
                writers.add(thread);
            }
        }
        return writers;
    }

    /** The writer threads of {@code ledger} opened, once it is closed while the server is frozen. */
    private static Set<Thread> writersLeftAfterClosingFrozen(boolean withAWriteInFlight) throws Exception {
        Set<Thread> before = ledgerWriters();
        SqliteDamageLedger ledger = open(POSTGRES.newDatabase(), BOX_A);
        Set<Thread> mine = ledgerWriters();
        mine.removeAll(before);
        ledger.record(damage(DATA_A, 0));
        POSTGRES.freeze();
        if (withAWriteInFlight) {
            ledger.recordAsync(damage(DATA_A, 4096));
        }

        ledger.close();

        mine.removeIf(thread -> !thread.isAlive());
        return mine;
    }

    @Test
    void anIdleLedgerClosedWhileTheServerIsFrozenLeavesNoWriterRunning() throws Exception {
        assertThat(writersLeftAfterClosingFrozen(false)).isEmpty();
    }

    /**
     * Found by review: the writer waits in its commit for the socket timeout (60 s), the close gives up joining it
     * after its own bound (about 11 s) and returns with it still blocked on the server, holding the connection.
     */
    @Test
    void aLedgerWithAWriteInFlightClosedWhileTheServerIsFrozenLeavesNoWriterRunning() throws Exception {
        assertThat(writersLeftAfterClosingFrozen(true)).isEmpty();
    }

    @Test
    void aBatchTheServerKeepsRefusingIsNotCommittedByTheCloseAndTheAgentStartedAgainIsDurableAtOnce() throws Exception {
        LedgerDatabase database = POSTGRES.newDatabase();
        SqliteDamageLedger ledger = open(database, BOX_A);
        ledger.record(damage(DATA_A, 0));
        try (Connection admin = database.connect(); Statement sql = admin.createStatement()) {
            sql.execute("ALTER TABLE damage ADD CONSTRAINT refuses_4096 CHECK (dev_offset <> 4096) NOT VALID");
        }
        ledger.recordAsync(damage(DATA_A, 4096));
        ledger.recordAsync(damage(DATA_A, 8192)); // queued behind the refused one: in every batch retried with it

        ledger.close();

        try (SqliteDamageLedger again = open(database, BOX_A)) {
            assertThat(again.health().durable()).isTrue();
            assertThat(again.records()).extracting(DamageRecord::offset).containsExactly(0L);
        }
        try (Connection admin = database.connect(); Statement sql = admin.createStatement();
             ResultSet rows = sql.executeQuery("SELECT count(*) FROM damage WHERE dev_offset = 8192")) {
            rows.next();
            assertThat(rows.getInt(1)).isZero();
        }
    }
}
