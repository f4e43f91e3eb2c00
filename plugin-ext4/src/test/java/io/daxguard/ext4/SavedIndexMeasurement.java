package io.daxguard.ext4;

import io.daxguard.testkit.FixedPluginContext;
import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.Holder;
import io.daxguard.spi.LinuxPath;
import io.daxguard.spi.Mount;
import io.daxguard.spi.PluginContext;
import io.daxguard.spi.ReverseMapStatus;
import io.daxguard.support.linux.FileStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.logging.ConsoleHandler;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Not a test: the restart figure of issue 14, one attach per JVM as an agent restart is. On a mounted ext4 (the
 * 200k-file fixture of bench/make-fixture.sh): {@code full} times attach to a ready index with no state directory (a
 * full build, saving nothing); {@code save} empties the state directory and builds and saves; {@code restart} times
 * attach to ready from the saved index, and to the end of the catch-up build. Run each several times, page cache warm.
 *
 * <pre>
 * mvn -q -B -o -pl plugin-ext4 -am test-compile
 * java -cp plugin-ext4/target/test-classes:plugin-ext4/target/classes:plugin-api/target/classes:$JNA_JAR \
 *      io.daxguard.ext4.SavedIndexMeasurement /mnt/point /dev/loopN /tmp/state-dir full|save|restart
 * </pre>
 */
public final class SavedIndexMeasurement {
    private SavedIndexMeasurement() {
    }

    public static void main(String[] args) throws Exception {
        Path mountPoint = Path.of(args[0]);
        DeviceNumber device = FileStatus.ofPath(Path.of(args[1])).rdev();
        Path state = Path.of(args[2]);
        String mode = args[3];
        Logger measurement = Logger.getLogger("measurement");
        ConsoleHandler console = new ConsoleHandler();
        console.setLevel(Level.FINE);
        measurement.addHandler(console);
        measurement.setLevel(Level.FINE);
        measurement.setUseParentHandlers(false);
        Mount mount = new Mount(0, device, "/", LinuxPath.of(mountPoint), "ext4", args[1], "rw");
        Files.createDirectories(state);
        // An agent has logged much before it attaches; the first line of a JVM (JUL set-up) is not the index's cost.
        System.getLogger("measurement").log(System.Logger.Level.INFO, "measuring " + mode + " on " + mountPoint);
        double[] times;
        switch (mode) {
            case "full" -> times = attachUntilReady(mount, Optional.empty());
            case "save" -> {
                try (var saved = Files.list(state)) {
                    for (Path file : saved.toList()) {
                        Files.delete(file);
                    }
                }
                times = attachUntilReady(mount, Optional.of(state));
            }
            case "restart" -> times = attachUntilReady(mount, Optional.of(state));
            default -> throw new IllegalArgumentException("mode must be full, save or restart: " + mode);
        }
        System.out.printf(java.util.Locale.ROOT, "%s attach_returned_ms=%.1f ready_ms=%.1f caught_up_ms=%.1f%n", mode,
                times[0], times[1], times[3]);
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

    private static PluginContext context(Optional<Path> state) {
        return FixedPluginContext.withState("measurement", state);
    }
}
