package io.daxguard.bench;

import io.daxguard.agent.ledger.AffectedOwner;
import io.daxguard.agent.ledger.Damage;
import io.daxguard.agent.ledger.DamageRecord;
import io.daxguard.agent.ledger.FilesystemRef;
import io.daxguard.agent.ledger.LedgerSettings;
import io.daxguard.agent.ledger.SqliteDamageLedger;
import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.Fork;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * The durable ledger's two figures, on a real disk (the state directory's filesystem, WAL, synchronous=FULL):
 *
 * <pre>
 * java -cp ... io.daxguard.bench.LedgerThroughput [DIRECTORY] [STORM_RECORDS] [REPLAY_RECORDS]
 *   storm:  records submitted as fast as one router thread can, each with one file owner and its path;
 *           records/s = records / time until the last one is durable (group commit). Median of 3 runs.
 *   replay: a ledger holding REPLAY_RECORDS open records is opened (quick_check, read, index in memory);
 *           seconds from open() to replayed. Median of 3 runs.
 * </pre>
 */
public final class LedgerThroughput {
    private static final int RUNS = 3;
    private static final DeviceNumber DEVICE = new DeviceNumber(259, 1);
    private static final FilesystemRef FILESYSTEM = new FilesystemRef("5f0c8a51-bench", DEVICE, "/srv/data", "xfs");

    private LedgerThroughput() {
    }

    public static void main(String[] args) throws Exception {
        Path base = Path.of(args.length > 0 ? args[0] : "/var/tmp");
        int storm = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
        int replay = args.length > 2 ? Integer.parseInt(args[2]) : 100_000;
        double[] rates = new double[RUNS];
        for (int run = 0; run < RUNS; run++) {
            Path directory = Files.createTempDirectory(base, "daxguard-ledger-bench-");
            try {
                rates[run] = storm(directory, storm);
            } finally {
                delete(directory);
            }
        }
        double[] replays = new double[RUNS];
        Path directory = Files.createTempDirectory(base, "daxguard-ledger-bench-");
        try {
            storm(directory, replay);
            for (int run = 0; run < RUNS; run++) {
                long start = System.nanoTime();
                try (SqliteDamageLedger ledger = SqliteDamageLedger.open(directory, LedgerSettings.defaults(),
                        Clock.systemUTC())) {
                    if (ledger.records().size() != replay) {
                        throw new IllegalStateException("replayed " + ledger.records().size() + ", expected " + replay);
                    }
                    replays[run] = (System.nanoTime() - start) / 1e9;
                }
            }
        } finally {
            delete(directory);
        }
        Arrays.sort(rates);
        Arrays.sort(replays);
        System.out.printf("ledger_storm_records=%d%n", storm);
        System.out.printf("ledger_storm_durable_records_per_s=%.0f (runs: %s)%n", rates[RUNS / 2], Arrays.toString(rates));
        System.out.printf("ledger_replay_open_records=%d%n", replay);
        System.out.printf("ledger_replay_s=%.3f (runs: %s)%n", replays[RUNS / 2], Arrays.toString(replays));
    }

    /** Records {@code count} damages; returns durable records per second. */
    private static double storm(Path directory, int count) {
        try (SqliteDamageLedger ledger = SqliteDamageLedger.open(directory, LedgerSettings.defaults(), Clock.systemUTC())) {
            Instant at = Instant.now();
            List<CompletableFuture<DamageRecord>> futures = new ArrayList<>(count);
            long start = System.nanoTime();
            for (int i = 0; i < count; i++) {
                long offset = i * 4096L;
                futures.add(ledger.recordAsync(new Damage(DEVICE, "nvme0n1p1", offset, 4096, 5, "kmsg", at, List.of(
                        new AffectedOwner(FILESYSTEM, new FileOwner(1000 + i / 16, 1, Fork.DATA, (i % 16) * 4096L,
                                offset, 4096, false, false), List.of("/projects/run-" + (i / 16) + "/data.bin"))))));
            }
            futures.get(count - 1).join();
            double seconds = (System.nanoTime() - start) / 1e9;
            return count / seconds;
        }
    }

    private static void delete(Path directory) throws IOException {
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
