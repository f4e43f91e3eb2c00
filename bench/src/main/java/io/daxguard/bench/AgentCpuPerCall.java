package io.daxguard.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * What one call costs the running agent, by kind of call: the CPU time of the agent's RMI connection threads
 * ({@code /proc/PID/task/TID/schedstat}) and of the whole agent ({@code /proc/PID/stat}) over {@code calls} calls
 * of one kind, per call, and the client's wall time per call. Separates what a {@code resolve} costs the agent
 * beyond the JDK connector's own work: a {@code getAttribute} of a String ({@code Type}) or a CompositeData
 * ({@code Scrub}), an invoke without arguments answering a String ({@code badBlockList}), an invoke of one argument
 * answering a boolean ({@code awaitReverseMap(1)}), and {@code resolve} of the ranges in a file ({@code offset
 * length} per line, asked in turn). JDK classes only:
 *
 * <pre>java bench/src/main/java/io/daxguard/bench/AgentCpuPerCall.java AGENT_PID URL MOUNT QUERIES CALLS ROUNDS
 *      [resolve,Type,Scrub,badBlockList,await]</pre>
 *
 * Rounds repeat every kind; the first rounds after an agent start measure its JIT compiler too.
 */
public final class AgentCpuPerCall {
    private static final long CLOCK_TICKS_PER_SECOND = 100;

    private AgentCpuPerCall() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 6) {
            System.err.println("usage: AgentCpuPerCall AGENT_PID URL MOUNT QUERIES CALLS ROUNDS [kinds,...]");
            System.exit(2);
        }
        long pid = Long.parseLong(args[0]);
        ObjectName filesystem = new ObjectName("io.daxguard:type=Filesystem,name=" + ObjectName.quote(args[2]));
        List<long[]> ranges = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(args[3]))) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length >= 2) {
                ranges.add(new long[] {Long.parseLong(fields[0]), Long.parseLong(fields[1])});
            }
        }
        int calls = Integer.parseInt(args[4]);
        int rounds = Integer.parseInt(args[5]);
        String[] kinds = (args.length > 6 ? args[6] : "resolve,Type,Scrub,badBlockList,await").split(",");
        try (JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(args[1]))) {
            MBeanServerConnection agent = connector.getMBeanServerConnection();
            agent.getAttribute(filesystem, "Type");
            for (int round = 0; round < rounds; round++) {
                for (String kind : kinds) {
                    long agentTicks = processTicks(pid);
                    long rmiNanos = threadNanos(pid, "RMI TCP Connect");
                    long start = System.nanoTime();
                    for (int i = 0; i < calls; i++) {
                        call(agent, filesystem, kind, ranges.get(i % ranges.size()));
                    }
                    long wall = System.nanoTime() - start;
                    System.out.printf(Locale.ROOT, "round=%d kind=%s calls=%d wall_us=%.1f agent_cpu_us=%.1f"
                                    + " rmi_threads_cpu_us=%.1f%n", round, kind, calls, wall / 1e3 / calls,
                            (processTicks(pid) - agentTicks) * (1e6 / CLOCK_TICKS_PER_SECOND) / calls,
                            (threadNanos(pid, "RMI TCP Connect") - rmiNanos) / 1e3 / calls);
                }
            }
        }
    }

    private static void call(MBeanServerConnection agent, ObjectName filesystem, String kind, long[] range)
            throws Exception {
        switch (kind) {
            case "resolve" -> agent.invoke(filesystem, "resolve", new Object[] {range[0], range[1]},
                    new String[] {"long", "long"});
            case "badBlockList" -> agent.invoke(filesystem, "badBlockList", null, null);
            case "await" -> agent.invoke(filesystem, "awaitReverseMap", new Object[] {1}, new String[] {"int"});
            default -> agent.getAttribute(filesystem, kind);
        }
    }

    /** User and system time of the whole process, in clock ticks (proc(5): fields 14 and 15). */
    private static long processTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /** CPU time of the threads whose name starts with {@code prefix}, in ns (schedstat's first field). */
    private static long threadNanos(long pid, String prefix) throws IOException {
        long sum = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : tasks) {
                try {
                    if (Files.readString(task.resolve("comm")).trim().startsWith(prefix)) {
                        sum += Long.parseLong(Files.readString(task.resolve("schedstat")).split(" ")[0]);
                    }
                } catch (IOException threadEnded) {
                    // a pool thread that ended between the listing and the read: its time is gone either way
                }
            }
        }
        return sum;
    }
}
