import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * A plain JMX client calling {@code Filesystem.resolve(offset, length)} once per line of a ranges file on a running
 * agent, reading the agent's VmRSS after every 100 calls. Run as a single-file program (no daxguard classes):
 * {@code java ResolveStorm.java <jmx-url> <mount point> <ranges file> <agent pid>}.
 */
public final class ResolveStorm {
    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: java ResolveStorm.java <jmx-url> <mount point> <ranges file> <agent pid>");
            System.exit(2);
        }
        List<String> ranges = Files.readAllLines(Path.of(args[2]));
        Path status = Path.of("/proc", args[3], "status");
        ObjectName filesystem = new ObjectName("io.daxguard:type=Filesystem,name=" + ObjectName.quote(args[1]));
        try (JMXConnector connector = connectWhenHeld(new JMXServiceURL(args[0]), filesystem, status)) {
            MBeanServerConnection server = connector.getMBeanServerConnection();
            for (int wait = 0; !(Boolean) server.invoke(filesystem, "awaitReverseMap", new Object[] {60},
                    new String[] {int.class.getName()}); wait++) {
                if (wait == 10) {
                    throw new IllegalStateException("the reverse map of " + args[1] + " was not ready in 10 minutes");
                }
            }
            System.out.println("index ready: " + memory(status));
            long start = System.nanoTime();
            int owners = 0;
            for (int i = 0; i < ranges.size(); i++) {
                String[] range = ranges.get(i).trim().split("\\s+");
                Object answer = server.invoke(filesystem, "resolve",
                        new Object[] {Long.parseLong(range[0]), Long.parseLong(range[1])},
                        new String[] {long.class.getName(), long.class.getName()});
                owners += ((Object[]) answer).length;
                if ((i + 1) % 100 == 0) {
                    System.out.println("after " + (i + 1) + " calls: " + memory(status));
                }
            }
            System.out.printf("calls=%d owners=%d seconds=%.2f%n", ranges.size(), owners,
                    (System.nanoTime() - start) / 1e9);
            System.out.println("end: " + memory(status));
        }
    }

    /** The agent is starting: connects once its connector is up and it holds the filesystem (2 minutes at most). */
    private static JMXConnector connectWhenHeld(JMXServiceURL url, ObjectName filesystem, Path status)
            throws Exception {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (true) {
            if (!Files.exists(status)) {
                throw new IllegalStateException("the agent stopped");
            }
            try {
                JMXConnector connector = JMXConnectorFactory.connect(url);
                if (connector.getMBeanServerConnection().isRegistered(filesystem)) {
                    return connector;
                }
                connector.close();
            } catch (java.io.IOException notYet) {
                // The connector is not listening yet.
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no agent holding " + filesystem + " at " + url + " in 2 minutes");
            }
            Thread.sleep(200); // polling a process that gives no signal: its connector's port
        }
    }

    private static String memory(Path status) throws Exception {
        StringBuilder line = new StringBuilder();
        for (String field : Files.readAllLines(status)) {
            if (field.startsWith("VmRSS:") || field.startsWith("VmHWM:")) {
                line.append(field.replaceAll("\\s+", " ")).append("  ");
            }
        }
        return line.toString().trim();
    }
}
