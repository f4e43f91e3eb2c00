package io.daxguard.agent.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.testkit.Command;
import io.daxguard.testkit.Privileges;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The state directory on a tiny tmpfs, filled up or made read-only: the ledger says so clearly, keeps every
 * record in memory, and writes them all once it can again.
 */
@Tag("mount")
class StateDirectoryFailureTest {
    private static final LedgerSettings FAST_RETRY = LedgerSettings.defaults().withRetryInterval(Duration.ofMillis(50));

    /** A 1 MiB tmpfs mounted on a fresh directory; unmounted and removed at close. */
    private static final class TinyFilesystem implements AutoCloseable {
        final Path directory;

        TinyFilesystem() throws IOException {
            Privileges.requireRootLoopAnd("mount", "umount");
            directory = Files.createTempDirectory("daxguard-full-");
            try {
                Command.run("mount", "-t", "tmpfs", "-o", "size=1m", "daxguard-test", directory.toString());
            } catch (IOException e) {
                Files.delete(directory);
                throw e;
            }
        }

        /** Writes a filler file until the filesystem is full. */
        Path fill() throws IOException {
            Path filler = directory.resolve("filler");
            try (OutputStream out = Files.newOutputStream(filler)) {
                byte[] block = new byte[4096];
                while (true) {
                    out.write(block);
                    out.flush();
                }
            } catch (IOException full) {
                return filler;
            }
        }

        @Override
        public void close() throws IOException {
            if (Command.tryRun("umount", directory.toString()).exitCode() != 0) {
                Command.run("umount", "--lazy", directory.toString());
            }
            Files.delete(directory);
        }
    }

    /** Records a storm of 500 until one batch cannot be written; returns their futures. */
    private static List<CompletableFuture<DamageRecord>> stormUntilUnhealthy(SqliteDamageLedger ledger)
            throws Exception {
        CompletableFuture<LedgerHealth> unhealthy = new CompletableFuture<>();
        ledger.onHealthChange(health -> {
            if (!health.durable()) {
                unhealthy.complete(health);
            }
        });
        List<CompletableFuture<DamageRecord>> futures = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            futures.add(ledger.recordAsync(LedgerSamples.sharedBlock(i * 4096L)));
        }
        unhealthy.get(60, TimeUnit.SECONDS); // a bound against hanging, not a timing assertion
        return futures;
    }

    @Test
    void aFullStateDirectoryIsReportedClearly() throws Exception {
        try (TinyFilesystem tiny = new TinyFilesystem();
             SqliteDamageLedger ledger = SqliteDamageLedger.open(tiny.directory, FAST_RETRY, Clock.systemUTC())) {
            Path filler = tiny.fill();
            stormUntilUnhealthy(ledger);

            assertThat(ledger.health().message()).contains(tiny.directory.toString()).containsIgnoringCase("full")
                    .contains("held in memory").contains("retrying");
            Files.delete(filler); // let close write what it holds
        }
    }

    @Test
    void everyRecordMadeWhileTheDiskIsFullIsWrittenOnceThereIsSpace() throws Exception {
        try (TinyFilesystem tiny = new TinyFilesystem()) {
            try (SqliteDamageLedger ledger = SqliteDamageLedger.open(tiny.directory, FAST_RETRY, Clock.systemUTC())) {
                Path filler = tiny.fill();
                List<CompletableFuture<DamageRecord>> futures = stormUntilUnhealthy(ledger);

                Files.delete(filler);
                CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            }
            try (SqliteDamageLedger reopened = SqliteDamageLedger.open(tiny.directory, FAST_RETRY, Clock.systemUTC())) {
                assertThat(reopened.records()).hasSize(500);
            }
        }
    }

    @Test
    void recordsMadeWhileTheStateDirectoryIsReadOnlyAreWrittenOnceItIsWritable() throws Exception {
        try (TinyFilesystem tiny = new TinyFilesystem()) {
            Command.run("mount", "-o", "remount,ro", tiny.directory.toString());
            List<CompletableFuture<DamageRecord>> futures = new ArrayList<>();
            try (SqliteDamageLedger ledger = SqliteDamageLedger.open(tiny.directory, FAST_RETRY, Clock.systemUTC())) {
                try {
                    for (int i = 0; i < 10; i++) {
                        futures.add(ledger.recordAsync(LedgerSamples.unowned(i * 4096L)));
                    }
                } finally {
                    Command.run("mount", "-o", "remount,rw", tiny.directory.toString());
                }
                CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            }
            try (SqliteDamageLedger reopened = SqliteDamageLedger.open(tiny.directory, FAST_RETRY, Clock.systemUTC())) {
                assertThat(reopened.records()).hasSize(10);
            }
        }
    }

    @Test
    void aReadOnlyStateDirectoryIsReportedClearly() throws Exception {
        try (TinyFilesystem tiny = new TinyFilesystem()) {
            Command.run("mount", "-o", "remount,ro", tiny.directory.toString());
            try (SqliteDamageLedger ledger = SqliteDamageLedger.open(tiny.directory, FAST_RETRY, Clock.systemUTC())) {
                assertThat(ledger.health().message()).contains(tiny.directory.toString()).contains("opening failed").contains("not writable")
                        .contains("retrying");
            } finally {
                Command.run("mount", "-o", "remount,rw", tiny.directory.toString());
            }
        }
    }

    @Test
    void aLedgerOnAStateDirectoryThatIsReadOnlyAtStartIsReplayedAndWrittenLater() throws Exception {
        try (TinyFilesystem tiny = new TinyFilesystem()) {
            try (SqliteDamageLedger ledger = SqliteDamageLedger.open(tiny.directory, FAST_RETRY, Clock.systemUTC())) {
                ledger.record(LedgerSamples.unowned(0));
            }
            Command.run("mount", "-o", "remount,ro", tiny.directory.toString());
            try (SqliteDamageLedger ledger = SqliteDamageLedger.open(tiny.directory, FAST_RETRY, Clock.systemUTC())) {
                CompletableFuture<DamageRecord> later;
                try {
                    later = ledger.recordAsync(LedgerSamples.unowned(4096));
                } finally {
                    Command.run("mount", "-o", "remount,rw", tiny.directory.toString());
                }
                later.get(60, TimeUnit.SECONDS);
            }
            try (SqliteDamageLedger reopened = SqliteDamageLedger.open(tiny.directory, FAST_RETRY, Clock.systemUTC())) {
                assertThat(reopened.records()).extracting(DamageRecord::offset).containsExactly(0L, 4096L);
            }
        }
    }

    @Test
    void aLedgerOnAStateDirectoryThatIsReadOnlyAtStartIsReplayed() throws Exception {
        try (TinyFilesystem tiny = new TinyFilesystem()) {
            try (SqliteDamageLedger ledger = SqliteDamageLedger.open(tiny.directory, FAST_RETRY, Clock.systemUTC())) {
                ledger.record(LedgerSamples.sharedBlock(0));
            }
            Command.run("mount", "-o", "remount,ro", tiny.directory.toString());
            try (SqliteDamageLedger ledger = SqliteDamageLedger.open(tiny.directory, FAST_RETRY, Clock.systemUTC())) {
                assertThat(ledger.records()).extracting(DamageRecord::id).containsExactly(1L);
            } finally {
                Command.run("mount", "-o", "remount,rw", tiny.directory.toString());
            }
        }
    }

    /**
     * What a kill -9 leaves of a ledger holding these records, copied into {@code into}: the named files as they are
     * while the agent runs (closing would checkpoint the write-ahead log into the database).
     */
    private static void leaveWhatAKillLeaves(Path into, long[] offsets, String... files) throws Exception {
        Path running = Files.createTempDirectory("daxguard-crashed-");
        try {
            try (SqliteDamageLedger ledger = SqliteDamageLedger.open(running, FAST_RETRY, Clock.systemUTC())) {
                for (long offset : offsets) {
                    ledger.record(LedgerSamples.unowned(offset));
                }
                for (String name : files) {
                    Files.copy(running.resolve(name), into.resolve(name));
                }
            }
        } finally {
            try (var left = Files.list(running)) {
                for (Path file : left.toList()) {
                    Files.delete(file);
                }
            }
            Files.delete(running);
        }
    }

    /**
     * An agent killed after its last commits leaves them in the write-ahead log (checkpoints are rare); if the state
     * directory is read-only at the next start, the replay must still see them and make no id they hold.
     */
    @Test
    void aReadOnlyReplayAfterAKillSeesTheRecordsOnlyInTheWriteAheadLog() throws Exception {
        try (TinyFilesystem tiny = new TinyFilesystem()) {
            leaveWhatAKillLeaves(tiny.directory, new long[] {0, 4096}, "ledger.db", "ledger.db-wal", "ledger.db-shm");
            assertThat(Files.size(tiny.directory.resolve("ledger.db-wal"))).isPositive();
            Command.run("mount", "-o", "remount,ro", tiny.directory.toString());
            try (SqliteDamageLedger replayed = SqliteDamageLedger.open(tiny.directory, FAST_RETRY, Clock.systemUTC())) {
                DamageRecord made = replayed.recordAsync(LedgerSamples.unowned(8192)).getNow(null);

                assertThat(replayed.records()).extracting(DamageRecord::offset).containsExactly(0L, 4096L, 8192L);
                assertThat(replayed.records()).extracting(DamageRecord::id).doesNotHaveDuplicates();
                assertThat(made).isNull(); // not durable: the directory is read-only
            } finally {
                Command.run("mount", "-o", "remount,rw", tiny.directory.toString());
            }
        }
    }

    /** Without the WAL's index file a read-only reader cannot use the log: then new ids stay clear of its records. */
    @Test
    void aReadOnlyReplayThatCannotReadTheWriteAheadLogMakesNoIdItsRecordsMayHold() throws Exception {
        try (TinyFilesystem tiny = new TinyFilesystem()) {
            leaveWhatAKillLeaves(tiny.directory, new long[] {0}, "ledger.db", "ledger.db-wal");
            Command.run("mount", "-o", "remount,ro", tiny.directory.toString());
            try (SqliteDamageLedger replayed = SqliteDamageLedger.open(tiny.directory, FAST_RETRY, Clock.systemUTC())) {
                assertThat(replayed.health().message()).contains("shown after the next start");

                replayed.recordAsync(LedgerSamples.unowned(8192));

                // Ids from the clock (millis * 1000), far above the few the lost log can hold.
                assertThat(replayed.records()).filteredOn(record -> record.offset() == 8192).singleElement()
                        .extracting(DamageRecord::id).satisfies(id -> assertThat(id).isGreaterThan(1_000_000L));
            } finally {
                Command.run("mount", "-o", "remount,rw", tiny.directory.toString());
            }
        }
    }
}
