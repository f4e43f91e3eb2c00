package io.daxguard.agent.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.codahale.metrics.Timer;
import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.FreeSpaceOwner;
import java.sql.Connection;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A ledger shared by a fleet, on a real PostgreSQL of the test's own: several hosts writing one database at once,
 * each seeing only its own damage, and the database going away and coming back under load with nothing lost.
 */
class SharedLedgerTest {
    @RegisterExtension
    static final PostgresCluster POSTGRES = new PostgresCluster();
    static final HostIdentity BOX_A = new HostIdentity("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "box-a");
    static final HostIdentity BOX_B = new HostIdentity("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "box-b");
    static final FilesystemRef DATA_A = new FilesystemRef("uuid-a", new DeviceNumber(259, 1), "/srv/a", "xfs");
    static final FilesystemRef DATA_B = new FilesystemRef("uuid-b", new DeviceNumber(259, 2), "/srv/b", "ext4");

    @AfterEach
    void serverRunsForTheNextTest() throws Exception {
        POSTGRES.ensureRunning();
    }

    static SqliteDamageLedger open(LedgerDatabase database, HostIdentity host) {
        return SqliteDamageLedger.open(database, host, SqliteDamageLedgerTest.FAST_RETRY, Clock.systemUTC(),
                new Timer());
    }

    /** Damage in free space of {@code filesystem} at {@code offset}. */
    static Damage damage(FilesystemRef filesystem, long offset) {
        return new Damage(filesystem.device(), "nvme0n1p" + filesystem.device().minor(), offset, 512, 5, "kmsg",
                LedgerSamples.AT, List.of(new AffectedOwner(filesystem, new FreeSpaceOwner(offset, 512), List.of())));
    }

    /** Records {@code count} damages once {@code go} opens, waiting until every one is durable. */
    private static Void storm(SqliteDamageLedger ledger, FilesystemRef filesystem, int count, CountDownLatch go)
            throws Exception {
        go.await();
        List<CompletableFuture<DamageRecord>> durable = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            durable.add(ledger.recordAsync(damage(filesystem, i * 4096L)));
        }
        CompletableFuture.allOf(durable.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        return null;
    }

    @Test
    void twoHostsWritingAtOnceHaveEveryRecordExactlyOnceEach() throws Exception {
        LedgerDatabase database = POSTGRES.newDatabase();
        int count = 3000;
        ExecutorService hosts = Executors.newFixedThreadPool(2);
        try (SqliteDamageLedger a = open(database, BOX_A); SqliteDamageLedger b = open(database, BOX_B)) {
            CountDownLatch go = new CountDownLatch(1);
            Future<Void> writingA = hosts.submit(() -> storm(a, DATA_A, count, go));
            Future<Void> writingB = hosts.submit(() -> storm(b, DATA_B, count, go));
            go.countDown();
            writingA.get();
            writingB.get();
        } finally {
            hosts.shutdown();
        }

        try (FleetReader fleet = FleetReader.open(database)) {
            List<FleetReader.HostRecord> records = fleet.records();
            for (var host : List.of(BOX_A, BOX_B)) {
                assertThat(records.stream().filter(row -> row.machineId().equals(host.machineId()))
                        .map(row -> row.record().id()))
                        .as(host.hostName()).containsExactlyElementsOf(LongStream.rangeClosed(1, count).boxed().toList());
            }
        }
    }

    @Test
    void aHostReadsAndChangesOnlyItsOwnDamage() {
        LedgerDatabase database = POSTGRES.newDatabase();
        try (SqliteDamageLedger a = open(database, BOX_A); SqliteDamageLedger b = open(database, BOX_B)) {
            DamageRecord ofA = a.record(damage(DATA_A, 0));
            DamageRecord ofB = b.record(damage(DATA_B, 0));
            assertThat(ofB.id()).isEqualTo(ofA.id());

            b.change(List.of(new StateChange(ofB.id(), 0, DamageState.ACKNOWLEDGED, null)),
                    LedgerSamples.audit("acknowledgeLoss", "ok"));
        }

        try (SqliteDamageLedger a = open(database, BOX_A)) {
            assertThat(a.records()).singleElement().satisfies(record -> {
                assertThat(record.filesystem()).contains(DATA_A);
                assertThat(record.state()).isEqualTo(DamageState.OPEN);
            });
            assertThat(a.history(LedgerSamples.fileA())).isEmpty();
        }
    }

    /**
     * An agent stopped and started again at once (a restart) can claim its host's rows again: the claim is given up
     * before the stopped one's connection closes. The server ends a closed session's locks only once it has seen the
     * session end, after the client's close returned: under load the restarted agent was refused as another agent
     * with the same identity. Here the first connection stays open, so only the release can free the claim.
     */
    @Test
    void aClaimGivenUpIsFreeForTheNextAgentWhileTheFirstConnectionIsStillOpen() throws Exception {
        LedgerDatabase database = POSTGRES.newDatabase();
        open(database, BOX_B).close(); // makes the tables a claim updates
        try (Connection first = database.connect(); Connection next = database.connect()) {
            first.setAutoCommit(false);
            next.setAutoCommit(false);
            database.claim(first, BOX_A);

            database.release(first, BOX_A);

            assertThatCode(() -> database.claim(next, BOX_A)).doesNotThrowAnyException();
        }
    }

    @Test
    void aSecondAgentWithTheSameIdentityIsRefusedAndSaysWhy() {
        LedgerDatabase database = POSTGRES.newDatabase();
        try (SqliteDamageLedger first = open(database, BOX_A); SqliteDamageLedger twin = open(database, BOX_A)) {
            assertThat(first.health().durable()).isTrue();
            assertThat(twin.health().durable()).isFalse();
            assertThat(twin.health().message()).contains("another agent writes the rows of host " + BOX_A.machineId());
        }
    }

    @Test
    void recordsMadeWhileTheDatabaseIsDownAreCommittedInOrderWhenItIsBack() throws Exception {
        LedgerDatabase database = POSTGRES.newDatabase();
        int before = 1000;
        int during = 500;
        try (SqliteDamageLedger ledger = open(database, BOX_A)) {
            CompletableFuture<LedgerHealth> lost = new CompletableFuture<>();
            CompletableFuture<LedgerHealth> back = new CompletableFuture<>();
            ledger.onHealthChange(health -> (health.durable() ? back : lost).complete(health));
            List<CompletableFuture<DamageRecord>> durable = new ArrayList<>();
            for (int i = 0; i < before; i++) {
                durable.add(ledger.recordAsync(damage(DATA_A, i * 4096L)));
            }

            POSTGRES.stop();
            for (int i = before; i < before + during; i++) {
                durable.add(ledger.recordAsync(damage(DATA_A, i * 4096L)));
            }
            CompletableFuture<List<DamageRecord>> acknowledged = ledger.changeAsync(
                    List.of(new StateChange(1, 0, DamageState.ACKNOWLEDGED, null)),
                    LedgerSamples.audit("acknowledgeLoss", "ok"));
            LedgerHealth down = lost.get(60, TimeUnit.SECONDS);
            assertThat(down.pendingWrites()).isPositive();
            assertThat(down.message()).contains(database.describe());
            assertThat(ledger.records()).hasSize(before + during);

            POSTGRES.start();
            CompletableFuture.allOf(durable.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            acknowledged.get(60, TimeUnit.SECONDS);
            assertThat(back.get(60, TimeUnit.SECONDS).pendingWrites()).isZero();
        }

        try (SqliteDamageLedger reopened = open(database, BOX_A)) {
            assertThat(reopened.records()).extracting(DamageRecord::id)
                    .containsExactlyElementsOf(LongStream.rangeClosed(1, before + during).boxed().toList());
            assertThat(reopened.find(1)).get().extracting(DamageRecord::state).isEqualTo(DamageState.ACKNOWLEDGED);
            assertThat(reopened.history(LedgerSamples.fileA())).hasSize(1);
        }
    }

    @Test
    void anAgentStartedWhileTheDatabaseIsDownShowsItsEarlierDamageOnceItIsBack() throws Exception {
        LedgerDatabase database = POSTGRES.newDatabase();
        try (SqliteDamageLedger ledger = open(database, BOX_A)) {
            ledger.record(damage(DATA_A, 0));
        }

        POSTGRES.stop();
        try (SqliteDamageLedger ledger = open(database, BOX_A)) {
            assertThat(ledger.health().durable()).isFalse();
            CompletableFuture<DamageRecord> made = ledger.recordAsync(damage(DATA_A, 4096));

            POSTGRES.start();
            made.get(60, TimeUnit.SECONDS);
            assertThat(ledger.records()).extracting(DamageRecord::offset).containsExactlyInAnyOrder(0L, 4096L);
        }
    }
}
