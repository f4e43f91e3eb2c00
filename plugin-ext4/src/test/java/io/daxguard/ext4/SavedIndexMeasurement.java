package io.daxguard.ext4;

import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.Holder;
import io.daxguard.spi.LinuxPath;
import io.daxguard.spi.Mount;
import io.daxguard.spi.PluginContext;
import io.daxguard.spi.ReverseMapStatus;
import io.daxguard.spi.linux.FileStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.logging.ConsoleHandler;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Not a test: the restart figure of issue 14. On a mounted ext4 (the 200k-file fixture of bench/make-fixture.sh),
 * the time from attach to a ready index with no saved index (a full build; nothing saved, so saving costs it nothing)
 * against the time from attach to ready with the index saved by an earlier attach (then the catch-up build's time),
 * each the median of {@code rounds}, page cache warm for both.
 *
 * <pre>
 * mvn -q -B -o -pl plugin-ext4 -am test-compile
 * java -cp plugin-ext4/target/test-classes:plugin-ext4/target/classes:plugin-api/target/classes:$JNA_JAR \
 *      io.daxguard.ext4.SavedIndexMeasurement /mnt/point /dev/loopN /tmp/state-dir 5
 * </pre>
 */
public final class SavedIndexMeasurement {
    private SavedIndexMeasurement() {
    }

    public static void main(String[] args) throws Exception {
        Path mountPoint = Path.of(args[0]);
        DeviceNumber device = FileStatus.ofPath(Path.of(args[1])).rdev();
        Path state = Path.of(args[2]);
        int rounds = Integer.parseInt(args[3]);
        Logger measurement = Logger.getLogger("measurement");
        ConsoleHandler console = new ConsoleHandler();
        console.setLevel(Level.FINE);
        measurement.addHandler(console);
        measurement.setLevel(Level.FINE);
        measurement.setUseParentHandlers(false);
        Mount mount = new Mount(0, device, "/", LinuxPath.of(mountPoint), "ext4", args[1], "rw");
        Files.createDirectories(state);
        try (var saved = Files.list(state)) {
            for (Path file : saved.toList()) {
                Files.delete(file); // the full builds below must find nothing saved
            }
        }

        attachUntilReady(mount, Optional.empty()); // warms the page cache and the JIT alike for both
        double[][] full = new double[3][rounds];
        for (int round = 0; round < rounds; round++) {
            put(full, round, attachUntilReady(mount, Optional.empty()));
        }
        attachUntilReady(mount, Optional.of(state)); // builds and saves
        double[][] restart = new double[4][rounds];
        for (int round = 0; round < rounds; round++) {
            put(restart, round, attachUntilReady(mount, Optional.of(state)));
        }
        print("full build", full);
        print("from the saved index", restart);
        System.out.printf("restart / full build, attach to ready: %.3f; attach returned to ready: %.3f%n",
                median(restart[1]) / median(full[1]), median(restart[2]) / median(full[2]));
        try (var files = Files.list(state)) {
            files.forEach(file -> System.out.println(file + ": " + file.toFile().length() + " bytes"));
        }
    }

    /**
     * Milliseconds from calling attach to its return, to a ready index, from its return to a ready index, and to no
     * build running (the catch-up done).
     */
    private static double[] attachUntilReady(Mount mount, Optional<Path> state) throws Exception {
        long started = System.nanoTime();
        try (Holder holder = new Ext4Plugin().attach(mount, context(state))) {
            long attached = System.nanoTime();
            if (!holder.awaitReverseMap(Duration.ofMinutes(10))) {
                throw new IllegalStateException("not ready: " + holder.reverseMapStatus());
            }
            long ready = System.nanoTime();
            while (holder.reverseMapStatus().orElseThrow().state() != ReverseMapStatus.State.READY) {
                Thread.sleep(1); // a measurement tool: polling the status is all an outside observer has
            }
            return new double[] {(attached - started) / 1e6, (ready - started) / 1e6, (ready - attached) / 1e6,
                (System.nanoTime() - started) / 1e6};
        }
    }

    private static void put(double[][] table, int round, double[] times) {
        table[0][round] = times[0];
        table[1][round] = times[1];
        table[2][round] = times[2];
        if (table.length > 3) {
            table[3][round] = times[3];
        }
    }

    private static void print(String what, double[][] table) {
        String[] names = {"attach returned", "attach to ready", "attach returned to ready", "attach to caught up"};
        for (int row = 0; row < table.length; row++) {
            System.out.printf("%s, %s: median %.1f ms %s%n", what, names[row], median(table[row]),
                    Arrays.toString(table[row]));
        }
    }

    private static PluginContext context(Optional<Path> state) {
        return new PluginContext() {
            @Override
            public System.Logger logger() {
                return System.getLogger("measurement");
            }

            @Override
            public Map<String, String> settings() {
                return Map.of();
            }

            @Override
            public Optional<Path> stateDirectory() {
                return state;
            }
        };
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
