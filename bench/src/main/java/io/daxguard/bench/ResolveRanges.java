package io.daxguard.bench;

import io.daxguard.agent.daemon.AgentSettings;
import io.daxguard.agent.daemon.Agent;
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
 *   cold: the agent runs (as the service does) and the filesystem appears: from the moment it is mounted (a bind
 *         mount of MOUNT the agent watches, the page cache dropped by the runner before the JVM started and not
 *         touched since) to the last answer of the first pass. On a filesystem without a reverse map of its own
 *         (ext4, XFS without rmapbt) that includes building the index: the first pass waits for it
 *         (Holder.awaitReverseMap), else it would answer "unknown". Also printed: the same from JVM start
 *         (daxguard_cold_from_jvm_start_s), what a one-shot command line would pay.
 *   warm: the median of the measured passes over the same ranges with the agent running, after warm-up passes
 *         (the service's JIT is warm): -Ddaxguard.bench.warmupPasses (default 1000),
 *         -Ddaxguard.bench.warmPasses (default 21)
 * </pre>
 *
 * <p>The agent watches the bind mount only ({@code withWatchedMountPoints}): with every mount it would also hold
 * the machine's own, and with the ext4 plugin index the root filesystem in the background.
 */
public final class ResolveRanges {
    private static final int WARMUP_PASSES = Integer.getInteger("daxguard.bench.warmupPasses", 1000);
    private static final int WARM_PASSES = Integer.getInteger("daxguard.bench.warmPasses", 21);

    private ResolveRanges() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: ResolveRanges MOUNT RANGES_FILE [ANSWERS_FILE]");
            System.exit(2);
        }
        String source = Path.of(args[0]).toRealPath().toString();
        List<long[]> ranges = readRanges(Path.of(args[1]));
        Path state = Files.createTempDirectory("daxguard-bench-state-");
        Path bind = Files.createDirectory(state.resolve("mnt"));
        String mount = bind.toString();
        long agentStart = System.nanoTime();
        try (Agent agent = Agent.start(AgentSettings.defaults().withMbeanServer(MBeanServerFactory.newMBeanServer())
                .withWatchedMountPoints(List.of(bind)).withStateDirectory(state))) {
            long agentReady = System.nanoTime();
            run("mount", "--bind", source, mount);
            try {
                long mounted = System.nanoTime();
                AttachedFilesystem filesystem = held(agent, mount);
                Holder holder = filesystem.holder().orElseThrow(() -> new IllegalStateException(mount
                        + " is not held: " + filesystem.refusal().orElse("")));
                if (!holder.awaitReverseMap(Duration.ofHours(1))) {
                    throw new IllegalStateException("the reverse map of " + mount + " is not ready: "
                            + holder.reverseMapStatus().map(ReverseMapStatus::describe).orElse(""));
                }
                long indexReady = System.nanoTime();
                List<String> answers = new ArrayList<>();
                int unknown = pass(agent, filesystem, ranges, answers);
                long coldDone = System.nanoTime();
                double sinceJvmStart = (System.currentTimeMillis()
                        - ManagementFactory.getRuntimeMXBean().getStartTime()) / 1e3;
                for (int i = 0; i < WARMUP_PASSES; i++) {
                    pass(agent, filesystem, ranges, null);
                }
                double[] warm = new double[WARM_PASSES];
                for (int i = 0; i < WARM_PASSES; i++) {
                    long start = System.nanoTime();
                    pass(agent, filesystem, ranges, null);
                    warm[i] = (System.nanoTime() - start) / 1e9;
                }
                Arrays.sort(warm);
                double[] holderOnly = new double[WARM_PASSES];
                List<FailureRange> asked = ranges.stream().map(range -> FailureRange.of(range[0], range[1])).toList();
                for (int i = 0; i < WARM_PASSES; i++) {
                    long start = System.nanoTime();
                    holder.notifyFailures(asked);
                    holderOnly[i] = (System.nanoTime() - start) / 1e9;
                }
                Arrays.sort(holderOnly);
                System.out.printf("daxguard_cold_s=%.4f%n", (coldDone - mounted) / 1e9);
                System.out.printf("daxguard_cold_index_s=%.4f%n", (indexReady - mounted) / 1e9);
                System.out.printf("daxguard_cold_resolve_s=%.4f%n", (coldDone - indexReady) / 1e9);
                System.out.printf("daxguard_cold_from_jvm_start_s=%.4f%n", sinceJvmStart);
                System.out.printf("daxguard_agent_start_s=%.4f%n", (agentReady - agentStart) / 1e9);
                System.out.printf("daxguard_reverse_map=%s%n", holder.info().reverseMap() + holder.reverseMapStatus()
                        .map(status -> " (" + status.describe().replace(' ', '_') + ")").orElse(""));
                System.out.printf("daxguard_warm_s=%.6f%n", warm[WARM_PASSES / 2]);
                System.out.printf("daxguard_warm_holder_s=%.6f%n", holderOnly[WARM_PASSES / 2]);
                System.out.printf("daxguard_ranges=%d%n", ranges.size());
                System.out.printf("daxguard_cold_unknown_owners=%d%n", unknown);
                Runtime runtime = Runtime.getRuntime();
                System.gc();
                System.out.printf("daxguard_heap_used_mib=%.1f%n",
                        (runtime.totalMemory() - runtime.freeMemory()) / 1048576.0);
                System.out.printf("daxguard_rss_mib=%.1f%n", residentMebibytes());
                if (args.length > 2) {
                    try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(Path.of(args[2])))) {
                        answers.forEach(out::println);
                    }
                }
            } finally {
                run("umount", mount);
            }
        } finally {
            try (var paths = Files.walk(state)) {
                for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
            }
        }
    }

    /**
     * The filesystem at {@code mount}, which the agent holds once it is told of the mount (as its mount watcher
     * tells it): the mount command has returned, so mountinfo already shows it.
     */
    private static AttachedFilesystem held(Agent agent, String mount) throws IOException {
        agent.topology().refresh();
        return agent.filesystems().atMountPoint(mount)
                .orElseThrow(() -> new IllegalStateException("the agent does not see " + mount + " after a refresh"));
    }

    /** VmRSS of this process, from /proc/self/status. */
    private static double residentMebibytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        }
        return -1;
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).inheritIO().start();
        if (process.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed with exit code " + process.exitValue());
        }
    }

    /**
     * Resolves every range once; adds "offset inode paths" per file owner to answers (when not null: warm passes
     * time daxguard, not the formatting of answers); returns the unknown owners.
     */
    private static int pass(Agent agent, AttachedFilesystem filesystem, List<long[]> ranges, List<String> answers)
            throws IOException {
        int unknown = 0;
        List<FailureRange> asked = new ArrayList<>(ranges.size());
        for (long[] range : ranges) {
            asked.add(FailureRange.of(range[0], range[1]));
        }
        List<List<AffectedOwner>> owners = agent.owners().resolveAll(filesystem, asked);
        for (int i = 0; i < asked.size(); i++) {
            for (AffectedOwner owner : owners.get(i)) {
                if (owner.owner() instanceof FileOwner file && answers != null) {
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
