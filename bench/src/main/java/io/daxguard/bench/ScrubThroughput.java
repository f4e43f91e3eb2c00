package io.daxguard.bench;

import io.daxguard.agent.daemon.AgentSettings;
import io.daxguard.agent.daemon.Agent;
import io.daxguard.agent.source.SourceSettings;
import io.daxguard.agent.source.scrub.ScrubProgress;
import io.daxguard.agent.source.scrub.Scrubber;
import io.daxguard.spi.testkit.Command;
import io.daxguard.spi.testkit.ScratchFilesystem;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.Stream;
import javax.management.MBeanServerFactory;

/**
 * Scrub throughput against {@code dd iflag=direct} on a healthy loop device, over the same number of bytes in
 * the same run: an XFS with {@code files} files of {@code MiB} each, one warm-up read of the device by dd
 * (the loop device's backing file is then in the host page cache for both), then dd, scrub, dd again.
 * Run as root: {@code bench/scrub-vs-dd.sh [files] [MiB]}.
 */
public final class ScrubThroughput {
    private ScrubThroughput() {
    }

    public static void main(String[] args) throws Exception {
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
            Path state = Files.createTempDirectory("daxguard-bench-state-");
            try (Agent agent = Agent.start(AgentSettings.defaults().withMbeanServer(MBeanServerFactory.newMBeanServer())
                    .withStateDirectory(state).withSources(SourceSettings.defaults().withKmsgEnabled(false).withTraceEnabled(false)
                            .withBadblocksEnabled(false).withScrubRateLimit(0)))) {
                String mountPoint = xfs.mountPoint().toString();
                Scrubber scrubber = agent.scrubber();
                long bytes = scrubOnce(scrubber, mountPoint).bytesTotal();
                long count = bytes >> 20;
                dd(xfs.device(), count);
                double ddBefore = dd(xfs.device(), count);
                long start = System.nanoTime();
                ScrubProgress result = scrubOnce(scrubber, mountPoint);
                double scrubSeconds = (System.nanoTime() - start) / 1e9;
                double ddAfter = dd(xfs.device(), count);
                double scrubRate = result.bytesDone() / scrubSeconds / (1 << 20);
                double ddRate = count / Math.min(ddBefore, ddAfter);
                System.out.printf("written bytes scrubbed: %d (%d MiB)%n", result.bytesDone(), result.bytesDone() >> 20);
                System.out.printf("scrub: %.3f s, %.0f MiB/s%n", scrubSeconds, scrubRate);
                System.out.printf("dd bs=1M iflag=direct, %d MiB: %.3f s before, %.3f s after; best %.0f MiB/s%n", count,
                        ddBefore, ddAfter, ddRate);
                System.out.printf("scrub / dd: %.1f%%%n", 100 * scrubRate / ddRate);
            } finally {
                try (Stream<Path> paths = Files.walk(state)) {
                    for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(path);
                    }
                }
            }
        }
    }

    /** Starts a scrub and waits for it to finish (polling the progress: this is a benchmark, not a test). */
    private static ScrubProgress scrubOnce(Scrubber scrubber, String mountPoint) throws InterruptedException {
        scrubber.start(mountPoint);
        while (true) {
            ScrubProgress progress = scrubber.progress(mountPoint);
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
