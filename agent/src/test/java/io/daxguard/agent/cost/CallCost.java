package io.daxguard.agent.cost;

import io.daxguard.agent.jmx.ObjectNames;
import java.util.Arrays;
import java.util.Map;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * What one JMX call costs a client, measured as a user would: a warm {@code Filesystem.resolve} of one block against
 * a {@code getAttribute} round trip ({@code Agent.Version}) on the same connection, the two interleaved call by call so
 * both see the same machine load, each the median of many calls.
 *
 * <p>As a program, against a running agent (remote JMX URL; user and password from {@code DAXGUARD_JMX_USER} and
 * {@code DAXGUARD_JMX_PASSWORD} when set):
 * <pre>
 * mvn -o -q -pl agent dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=/tmp/cp.txt
 * java -cp "$(cat /tmp/cp.txt):agent/target/classes:agent/target/test-classes" \
 *     io.daxguard.agent.cost.CallCost service:jmx:rmi:///jndi/rmi://127.0.0.1:9875/jmxrmi /srv/data 1048576 2000
 * </pre>
 * (OFFSET is a byte of a file's data, e.g. {@code filefrag -v -b1}'s physical offset; only JDK classes and
 * {@code ObjectNames} are used on the wire side.)
 */
public final class CallCost {
    /** Medians in microseconds, and their ratio. */
    public record Figures(int calls, double resolveMicros, double getAttributeMicros) {
        public double ratio() {
            return resolveMicros / getAttributeMicros;
        }

        @Override
        public String toString() {
            return String.format("resolve of one block %.1f us, getAttribute %.1f us (medians of %d calls each):"
                    + " %.2fx", resolveMicros, getAttributeMicros, calls, ratio());
        }
    }

    private CallCost() {
    }

    /**
     * @param offset a byte of the filesystem (relative to its start); one 4 KiB block from there is resolved
     * @param calls  calls of each kind measured, after as many again to warm up
     */
    public static Figures measure(MBeanServerConnection connection, String mountPoint, long offset, int calls)
            throws Exception {
        ObjectName filesystem = ObjectNames.filesystem(mountPoint);
        ObjectName agent = ObjectNames.agent();
        Object[] arguments = {offset, 4096L};
        String[] signature = {"long", "long"};
        long[] resolve = new long[calls];
        long[] attribute = new long[calls];
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < calls; i++) {
                long start = System.nanoTime();
                connection.invoke(filesystem, "resolve", arguments, signature);
                long between = System.nanoTime();
                connection.getAttribute(agent, "Version");
                long end = System.nanoTime();
                resolve[i] = between - start;
                attribute[i] = end - between;
            }
        }
        return new Figures(calls, median(resolve) / 1000.0, median(attribute) / 1000.0);
    }

    /** A batch's cost: the median call, and that per range it answers. */
    public record BatchFigures(int calls, int ranges, double callMicros) {
        public double perRangeMicros() {
            return callMicros / ranges;
        }

        @Override
        public String toString() {
            return String.format("resolveRanges of %d blocks %.1f us a call, %.1f us a block (median of %d calls)",
                    ranges, callMicros, perRangeMicros(), calls);
        }
    }

    /** {@code resolveRanges} of one 4 KiB block at each of {@code offsets}, {@code calls} times after as many to warm up. */
    public static BatchFigures measureBatch(MBeanServerConnection connection, String mountPoint, long[] offsets,
                                            int calls) throws Exception {
        ObjectName filesystem = ObjectNames.filesystem(mountPoint);
        long[] lengths = new long[offsets.length];
        Arrays.fill(lengths, 4096);
        Object[] arguments = {offsets, lengths};
        String[] signature = {"[J", "[J"};
        long[] took = new long[calls];
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < calls; i++) {
                long start = System.nanoTime();
                connection.invoke(filesystem, "resolveRanges", arguments, signature);
                took[i] = System.nanoTime() - start;
            }
        }
        return new BatchFigures(calls, offsets.length, median(took) / 1000.0);
    }

    private static double median(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2.0;
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: CallCost JMX_URL MOUNT OFFSET [CALLS]");
            System.exit(2);
        }
        int calls = args.length > 3 ? Integer.parseInt(args[3]) : 2000;
        String user = System.getenv("DAXGUARD_JMX_USER");
        Map<String, Object> environment = user == null ? Map.of()
                : Map.of(JMXConnector.CREDENTIALS, new String[] {user, System.getenv("DAXGUARD_JMX_PASSWORD")});
        try (JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(args[0]), environment)) {
            System.out.println(measure(connector.getMBeanServerConnection(), args[1], Long.parseLong(args[2]), calls));
        }
    }
}
