package io.daxguard.bench;

import io.daxguard.agent.Agent;
import io.daxguard.agent.ledger.AffectedOwner;
import io.daxguard.agent.plugins.AttachedFilesystem;
import io.daxguard.spi.FailureRange;
import io.daxguard.spi.FileOwner;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.management.MBeanServerFactory;

/**
 * The daxguard side of the scripted comparison with the peer pipeline: starts an agent, resolves every range
 * of a ranges file (owners and paths) as one batch, as the peer runs one {@code xfs_io} with every range and
 * one {@code find}, and prints machine-readable timings.
 *
 * <pre>
 * java -cp ... io.daxguard.bench.ResolveRanges MOUNT RANGES_FILE [ANSWERS_FILE]
 *   cold: from JVM start (the agent just started, nothing cached) to the last answer of the first pass
 *   warm: the median of five further passes over the same ranges with the agent running
 * </pre>
 */
public final class ResolveRanges {
    private static final int WARM_PASSES = 5;

    private ResolveRanges() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: ResolveRanges MOUNT RANGES_FILE [ANSWERS_FILE]");
            System.exit(2);
        }
        String mount = Path.of(args[0]).toRealPath().toString();
        List<long[]> ranges = readRanges(Path.of(args[1]));
        long agentStart = System.nanoTime();
        try (Agent agent = Agent.start(Agent.Settings.defaults().withMBeanServer(MBeanServerFactory.newMBeanServer()).withWatchedMountPoints(java.util.List.of(Path.of(mount)))
                .withStateDirectory(java.nio.file.Files.createTempDirectory("daxguard-bench-state-")))) {
            long agentReady = System.nanoTime();
            AttachedFilesystem filesystem = agent.processor().filesystems().atMountPoint(mount)
                    .orElseThrow(() -> new IllegalArgumentException("no filesystem mounted at " + mount));
            List<String> answers = new ArrayList<>();
            pass(agent, filesystem, ranges, answers);
            long coldDone = System.nanoTime();
            double sinceJvmStart = (System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime()) / 1e3;
            double[] warm = new double[WARM_PASSES];
            for (int i = 0; i < WARM_PASSES; i++) {
                long start = System.nanoTime();
                pass(agent, filesystem, ranges, new ArrayList<>());
                warm[i] = (System.nanoTime() - start) / 1e9;
            }
            Arrays.sort(warm);
            System.out.printf("daxguard_cold_s=%.4f%n", sinceJvmStart);
            System.out.printf("daxguard_cold_agent_start_s=%.4f%n", (agentReady - agentStart) / 1e9);
            System.out.printf("daxguard_cold_resolve_s=%.4f%n", (coldDone - agentReady) / 1e9);
            System.out.printf("daxguard_warm_s=%.6f%n", warm[WARM_PASSES / 2]);
            System.out.printf("daxguard_ranges=%d%n", ranges.size());
            if (args.length > 2) {
                try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(Path.of(args[2])))) {
                    answers.forEach(out::println);
                }
            }
        }
    }

    private static void pass(Agent agent, AttachedFilesystem filesystem, List<long[]> ranges, List<String> answers)
            throws IOException {
        List<FailureRange> asked = new ArrayList<>(ranges.size());
        for (long[] range : ranges) {
            asked.add(FailureRange.of(range[0], range[1]));
        }
        List<List<AffectedOwner>> owners = agent.processor().resolveAll(filesystem, asked);
        for (int i = 0; i < asked.size(); i++) {
            for (AffectedOwner owner : owners.get(i)) {
                if (owner.owner() instanceof FileOwner file) {
                    answers.add(asked.get(i).offset() + " " + file.inode() + " " + String.join(" ", owner.paths()));
                }
            }
        }
    }

    private static List<long[]> readRanges(Path file) throws IOException {
        List<long[]> ranges = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length >= 2 && !line.startsWith("#")) {
                ranges.add(new long[] {Long.parseLong(fields[0]), Long.parseLong(fields[1])});
            }
        }
        return ranges;
    }
}
