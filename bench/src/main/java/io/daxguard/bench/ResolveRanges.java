package io.daxguard.bench;

import io.daxguard.agent.Agent;
import io.daxguard.agent.ledger.AffectedOwner;
import io.daxguard.agent.plugins.AttachedFilesystem;
import io.daxguard.spi.FailureRange;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.Holder;
import io.daxguard.spi.ReverseMapStatus;
import io.daxguard.spi.UnknownOwner;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
 *   cold: from JVM start (the agent just started, nothing cached) to the last answer of the first pass; on a
 *         filesystem without a reverse map of its own (ext4, XFS without rmapbt) that includes building the
 *         index: the first pass waits for it (Holder.awaitReverseMap), else it would answer "unknown"
 *   warm: the median of five further passes over the same ranges with the agent running
 * </pre>
 *
 * <p>The agent watches the benchmark's filesystem only ({@code withWatchedMountPoints}): with every mount it would
 * also hold the machine's own, and with the ext4 plugin index the root filesystem in the background.
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
        Path state = Files.createTempDirectory("daxguard-bench-state-");
        long agentStart = System.nanoTime();
        try (Agent agent = Agent.start(Agent.Settings.defaults().withMBeanServer(MBeanServerFactory.newMBeanServer())
                .withWatchedMountPoints(List.of(Path.of(mount))).withStateDirectory(state))) {
            long agentReady = System.nanoTime();
            AttachedFilesystem filesystem = agent.processor().filesystems().atMountPoint(mount)
                    .orElseThrow(() -> new IllegalArgumentException("no filesystem mounted at " + mount));
            Holder holder = filesystem.holder().orElseThrow(() -> new IllegalStateException(mount + " is not held: "
                    + filesystem.refusal().orElse("")));
            if (!holder.awaitReverseMap(Duration.ofHours(1))) {
                throw new IllegalStateException("the reverse map of " + mount + " is not ready: "
                        + holder.reverseMapStatus().map(ReverseMapStatus::describe).orElse(""));
            }
            long indexReady = System.nanoTime();
            List<String> answers = new ArrayList<>();
            int unknown = pass(agent, filesystem, ranges, answers);
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
            System.out.printf("daxguard_cold_index_s=%.4f%n", (indexReady - agentReady) / 1e9);
            System.out.printf("daxguard_cold_resolve_s=%.4f%n", (coldDone - indexReady) / 1e9);
            System.out.printf("daxguard_reverse_map=%s%n", holder.info().reverseMap() + holder.reverseMapStatus()
                    .map(status -> " (" + status.describe().replace(' ', '_') + ")").orElse(""));
            System.out.printf("daxguard_warm_s=%.6f%n", warm[WARM_PASSES / 2]);
            System.out.printf("daxguard_ranges=%d%n", ranges.size());
            System.out.printf("daxguard_cold_unknown_owners=%d%n", unknown);
            if (args.length > 2) {
                try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(Path.of(args[2])))) {
                    answers.forEach(out::println);
                }
            }
        } finally {
            try (var paths = Files.walk(state)) {
                for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
            }
        }
    }

    /** Resolves every range once; adds "offset inode paths" per file owner to answers; returns the unknown owners. */
    private static int pass(Agent agent, AttachedFilesystem filesystem, List<long[]> ranges, List<String> answers)
            throws IOException {
        int unknown = 0;
        List<FailureRange> asked = new ArrayList<>(ranges.size());
        for (long[] range : ranges) {
            asked.add(FailureRange.of(range[0], range[1]));
        }
        List<List<AffectedOwner>> owners = agent.processor().resolveAll(filesystem, asked);
        for (int i = 0; i < asked.size(); i++) {
            for (AffectedOwner owner : owners.get(i)) {
                if (owner.owner() instanceof FileOwner file) {
                    answers.add(asked.get(i).offset() + " " + file.inode() + " " + String.join(" ", owner.paths()));
                } else if (owner.owner() instanceof UnknownOwner) {
                    unknown++;
                }
            }
        }
        return unknown;
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
