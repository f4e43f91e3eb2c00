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
        Files.deleteIfExists(state.resolve("index-" + "6461786a-6775-4172-a462-656e63680001" + ".bin"));

        attachUntilReady(mount, Optional.empty()); // warms the page cache and the JIT alike for both
        double[] full = new double[rounds];
        for (int round = 0; round < rounds; round++) {
            full[round] = attachUntilReady(mount, Optional.empty())[0];
        }
        attachUntilReady(mount, Optional.of(state)); // builds and saves
        double[] restart = new double[rounds];
        double[] caughtUp = new double[rounds];
        for (int round = 0; round < rounds; round++) {
            double[] times = attachUntilReady(mount, Optional.of(state));
            restart[round] = times[0];
            caughtUp[round] = times[1];
        }
        System.out.printf("full build, attach to ready: %s ms, median %.1f%n", Arrays.toString(full), median(full));
        System.out.printf("from the saved index, attach to ready: %s ms, median %.1f%n", Arrays.toString(restart),
                median(restart));
        System.out.printf("from the saved index, attach to caught up: %s ms, median %.1f%n",
                Arrays.toString(caughtUp), median(caughtUp));
        System.out.printf("restart / full build: %.3f%n", median(restart) / median(full));
        try (var files = Files.list(state)) {
            files.forEach(file -> System.out.println(file + ": " + file.toFile().length() + " bytes"));
        }
    }

    /** Milliseconds from attach to a ready index, and to no build running (the catch-up done). */
    private static double[] attachUntilReady(Mount mount, Optional<Path> state) throws Exception {
        long started = System.nanoTime();
        try (Holder holder = new Ext4Plugin().attach(mount, context(state))) {
            if (!holder.awaitReverseMap(Duration.ofMinutes(10))) {
                throw new IllegalStateException("not ready: " + holder.reverseMapStatus());
            }
            long ready = System.nanoTime();
            while (holder.reverseMapStatus().orElseThrow().state() != ReverseMapStatus.State.READY) {
                Thread.sleep(1); // a measurement tool: polling the status is all an outside observer has
            }
            return new double[] {(ready - started) / 1e6, (System.nanoTime() - started) / 1e6};
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
