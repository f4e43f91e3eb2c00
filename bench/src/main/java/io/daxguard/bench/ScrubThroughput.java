package io.daxguard.bench;

import io.daxguard.agent.daemon.AgentSettings;
import io.daxguard.agent.daemon.Agent;
import io.daxguard.agent.source.SourceSettings;
import io.daxguard.agent.source.scrub.ScrubProgress;
import io.daxguard.agent.source.scrub.Scrubber;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.ScratchFilesystem;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import javax.management.MBeanServerFactory;

/**
 * A full unthrottled scrub against {@code dd bs=1M iflag=direct} of the whole device, in the same run: one
 * warm-up dd (a loop device's backing file is then in the host page cache for both), then three rounds of dd
 * and scrub, alternating; medians and bests. Either on an XFS made here with {@code files} files of {@code MiB} each (the large-file
 * fixture), or on a filesystem already mounted ({@code --mounted MOUNT DEVICE}, e.g. the 200k-file fixture of
 * {@code make-fixture.sh}). Run as root: {@code bench/scrub-vs-dd.sh}.
 */
public final class ScrubThroughput {
    private static final int ROUNDS = 3;

    private ScrubThroughput() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 3 && args[0].equals("--mounted")) {
            measure(args[1], Path.of(args[2]));
            return;
        }
        int files = args.length > 0 ? Integer.parseInt(args[0]) : 16;
        int mebibytes = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        try (ScratchFilesystem xfs = ScratchFilesystem.xfs().sizeMiB(files * (long) mebibytes + 512).create()) {
            byte[] chunk = new byte[1 << 20];
            new Random(1).nextBytes(chunk);
            for (int i = 0; i < files; i++) {
                try (FileChannel channel = FileChannel.open(xfs.path("file" + i), StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE)) {
                    for (int m = 0; m < mebibytes; m++) {
                        channel.write(ByteBuffer.wrap(chunk));
                    }
                    channel.force(true);
                }
            }
            Command.run("sync");
            measure(xfs.mountPoint().toString(), xfs.device());
        }
    }

    private static void measure(String mountPoint, Path device) throws Exception {
        Path state = Files.createTempDirectory("daxguard-bench-state-");
        try (Agent agent = Agent.start(AgentSettings.defaults().withMbeanServer(MBeanServerFactory.newMBeanServer())
                .withStateDirectory(state).withWatchedMountPoints(List.of(Path.of(mountPoint)))
                // Only this filesystem: others mounted on the machine are not held (nor indexed) by this agent.
                .withSources(SourceSettings.defaults().withKmsgEnabled(false).withTraceEnabled(false)
                        .withBadblocksEnabled(false).withScrubRateLimit(0)))) {
            Scrubber scrubber = agent.scrubber();
            long deviceMiB = Long.parseLong(Command.run("blockdev", "--getsize64", device.toString()).strip()) >> 20;
            dd(device, deviceMiB);
            // Alternating, three of each: on a shared machine one pair can land in a burst of someone else's work.
            double[] dds = new double[ROUNDS];
            double[] scrubs = new double[ROUNDS];
            ScrubProgress result = null;
            for (int round = 0; round < ROUNDS; round++) {
                dds[round] = dd(device, deviceMiB);
                long start = System.nanoTime();
                result = scrubOnce(scrubber, mountPoint);
                scrubs[round] = (System.nanoTime() - start) / 1e9;
            }
            java.util.Arrays.sort(dds);
            java.util.Arrays.sort(scrubs);
            System.out.printf("filesystem %s on %s, %d MiB%n", mountPoint, device, deviceMiB);
            System.out.printf("scrub %s: %d written bytes (%d MiB) verified, %d device bytes (%d MiB) read%n",
                    result.state(), result.bytesDone(), result.bytesDone() >> 20, result.bytesRead(),
                    result.bytesRead() >> 20);
            System.out.printf("scrub, start to finished (GETFSMAP passes included), s: %s; median %.3f%n",
                    java.util.Arrays.toString(scrubs), scrubs[ROUNDS / 2]);
            System.out.printf("dd bs=1M iflag=direct of the whole device (%d MiB), s: %s; median %.3f%n", deviceMiB,
                    java.util.Arrays.toString(dds), dds[ROUNDS / 2]);
            System.out.printf("scrub / dd, medians: %.2f; best: %.2f (<= 1.00 is the target)%n",
                    scrubs[ROUNDS / 2] / dds[ROUNDS / 2], scrubs[0] / dds[0]);
        } finally {
            try (Stream<Path> paths = Files.walk(state)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
            }
        }
    }

    /** Starts a scrub and waits for it to finish (polling the progress: this is a benchmark, not a test). */
    private static ScrubProgress scrubOnce(Scrubber scrubber, String mountPoint) throws InterruptedException {
        long start = System.nanoTime();
        boolean counted = false;
        scrubber.start(mountPoint);
        while (true) {
            ScrubProgress progress = scrubber.progress(mountPoint);
            if (!counted && progress.bytesTotal() > 0) {
                counted = true;
                System.out.printf("written bytes counted (one GETFSMAP pass) after %.3f s%n",
                        (System.nanoTime() - start) / 1e9);
            }
            if (!progress.state().equals("RUNNING")) {
                return progress;
            }
            Thread.sleep(2);
        }
    }

    /** Seconds dd takes to read {@code mebibytes} from the start of the device with O_DIRECT. */
    private static double dd(Path device, long mebibytes) throws IOException {
        long start = System.nanoTime();
        Command.run("dd", "if=" + device, "of=/dev/null", "bs=1M", "count=" + mebibytes, "iflag=direct", "status=none");
        return (System.nanoTime() - start) / 1e9;
    }
}
