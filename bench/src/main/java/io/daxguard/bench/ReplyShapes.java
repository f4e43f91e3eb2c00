package io.daxguard.bench;

import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.rmi.registry.LocateRegistry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanServer;
import javax.management.MBeanServerConnection;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import javax.management.StandardMBean;
import javax.management.openmbean.ArrayType;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.CompositeDataSupport;
import javax.management.openmbean.CompositeType;
import javax.management.openmbean.OpenType;
import javax.management.openmbean.SimpleType;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXConnectorServerFactory;
import javax.management.remote.JMXServiceURL;

/**
 * What the shape of a JMX reply costs over remote JMX (RMI, Java serialization), apart from any work of the agent: a
 * server JVM (started by this program, JDK classes only) answers one operation {@code shape(name, long, long)} with a
 * fixed, prebuilt value per shape: a String, {@code resolve}'s reply of one owner (a {@code CompositeData[]} of 13
 * items) and leaner variants of it (fewer items, long item descriptions, strings only, no array), and plain arrays.
 * The client calls them interleaved on one connection, with {@code getAttribute} of a String beside them, and prints
 * per call the wall time, its own CPU time and the reply's serialized size.
 *
 * <pre>java bench/src/main/java/io/daxguard/bench/ReplyShapes.java [CALLS_PER_ROUND] [ROUNDS]</pre>
 */
public final class ReplyShapes {
    /** The server's MBean: every operation answers a value already made. */
    public interface ShapesMBean {
        Object shape(String name, long offset, long length);

        String getType();
    }

    /** Answers the prebuilt values. */
    public static final class Shapes implements ShapesMBean {
        private final Map<String, Object> values = shapes();

        @Override
        public Object shape(String name, long offset, long length) {
            return values.get(name);
        }

        @Override
        public String getType() {
            return "ext4";
        }
    }

    private ReplyShapes() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("--serve")) {
            serve(Integer.parseInt(args[1]));
            return;
        }
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 3000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        int port = 20000 + (int) (ProcessHandle.current().pid() % 20000);
        String java = ProcessHandle.current().info().command().orElse("java");
        String source = ReplyShapes.class.getProtectionDomain().getCodeSource().getLocation().getPath();
        List<String> command = new ArrayList<>(List.of(java, "-XX:+UseSerialGC"));
        command.addAll(source.endsWith(".java") ? List.of(source) : List.of("-cp", source, ReplyShapes.class.getName()));
        command.addAll(List.of("--serve", Integer.toString(port)));
        Process server = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            if (server.getInputStream().read() < 0) { // the server writes one byte when it listens
                throw new IllegalStateException("the server did not start: " + String.join(" ", command));
            }
            measure("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + port + "/jmxrmi", calls, rounds);
        } finally {
            server.destroy();
            server.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static void serve(int port) throws Exception {
        MBeanServer server = MBeanServerFactory.newMBeanServer();
        server.registerMBean(new StandardMBean(new Shapes(), ShapesMBean.class), new ObjectName("bench:type=Shapes"));
        LocateRegistry.createRegistry(port);
        JMXConnectorServer connector = JMXConnectorServerFactory.newJMXConnectorServer(
                new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + port + "/jmxrmi"), new HashMap<>(), server);
        connector.start();
        System.out.write('u');
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE); // until the client destroys this process
    }

    private static void measure(String url, int calls, int rounds) throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        List<String> names = new ArrayList<>(shapes().keySet());
        try (JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(url))) {
            MBeanServerConnection connection = connector.getMBeanServerConnection();
            ObjectName shapes = new ObjectName("bench:type=Shapes");
            String[] signature = {String.class.getName(), "long", "long"};
            for (int round = 0; round < rounds; round++) {
                long[] wall = new long[names.size() + 1];
                long[] cpu = new long[names.size() + 1];
                for (int i = 0; i < calls; i++) {
                    for (int k = 0; k <= names.size(); k++) {
                        long cpu0 = threads.getCurrentThreadCpuTime();
                        long wall0 = System.nanoTime();
                        if (k == names.size()) {
                            connection.getAttribute(shapes, "Type");
                        } else {
                            connection.invoke(shapes, "shape", new Object[] {names.get(k), 1L, 4096L}, signature);
                        }
                        wall[k] += System.nanoTime() - wall0;
                        cpu[k] += threads.getCurrentThreadCpuTime() - cpu0;
                    }
                }
                System.out.printf(Locale.ROOT, "round %d (%s calls each, the first rounds warm up)%n", round, calls);
                for (int k = 0; k <= names.size(); k++) {
                    String name = k == names.size() ? "getAttribute(Type)" : "invoke " + names.get(k);
                    String bytes = k == names.size() ? "" : " reply_bytes=" + serializedSize(shapes().get(names.get(k)));
                    System.out.printf(Locale.ROOT, "  %-42s wall_us=%.1f client_cpu_us=%.1f%s%n", name,
                            wall[k] / 1e3 / calls, cpu[k] / 1e3 / calls, bytes);
                }
            }
        }
    }

    static int serializedSize(Object value) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        return bytes.size();
    }

    /** The shapes, by name; the values are those of a real reply (a file block of the ext4 fixture). */
    static Map<String, Object> shapes() {
        try {
            Map<String, Object> item = new HashMap<>();
            item.put("kind", "file");
            item.put("filesystemOffset", 139005952L);
            item.put("length", 4096L);
            item.put("inode", 150001L);
            item.put("generation", 1238434964L);
            item.put("fork", "DATA");
            item.put("fileOffset", 69632L);
            item.put("shared", false);
            item.put("unwritten", false);
            item.put("paths", new String[] {"/tree/d1/d8/d367/f18537"});
            item.put("structure", "");
            item.put("description", "/tree/d1/d8/d367/f18537 data");
            item.put("action", "restore the range from a replica, or rewrite it");
            OpenType<?> string = SimpleType.STRING;
            OpenType<?> number = SimpleType.LONG;
            OpenType<?> flag = SimpleType.BOOLEAN;
            OpenType<?> paths = new ArrayType<String[]>(1, SimpleType.STRING);
            String[] all = {"action", "description", "fileOffset", "filesystemOffset", "fork", "generation", "inode",
                    "kind", "length", "paths", "shared", "structure", "unwritten"};
            OpenType<?>[] allTypes = {string, string, number, number, string, number, number, string, number, paths,
                    flag, string, flag};
            Map<String, Object> shapes = new LinkedHashMap<>();
            shapes.put("String", "ext4");
            shapes.put("resolve's reply: 13 items", rows(type(all, allTypes, false), item));
            shapes.put("13 items, long descriptions", rows(type(all, allTypes, true), item));
            String[] lean = Arrays.copyOfRange(all, 2, all.length);
            shapes.put("11 items (no description, action)", rows(type(lean, Arrays.copyOfRange(allTypes, 2,
                    allTypes.length), false), item));
            shapes.put("7 items", rows(type(new String[] {"filesystemOffset", "inode", "kind", "length", "paths",
                    "shared", "structure"}, new OpenType<?>[] {number, number, string, number, paths, flag, string},
                    false), item));
            Map<String, Object> strings = new HashMap<>();
            item.forEach((name, value) -> strings.put(name, value instanceof String[] list ? list[0] : value.toString()));
            OpenType<?>[] stringTypes = new OpenType<?>[all.length];
            Arrays.fill(stringTypes, string);
            shapes.put("13 items, all strings", rows(type(all, stringTypes, false), strings));
            shapes.put("13 items, one CompositeData", ((CompositeData[]) rows(type(all, allTypes, false), item))[0]);
            shapes.put("String[] of one line", new String[] {"file inode 150001 generation 1238434964 DATA 69632 "
                    + "/tree/d1/d8/d367/f18537"});
            shapes.put("long[] of 7", new long[] {139005952L, 4096L, 150001L, 1238434964L, 69632L, 0, 0});
            return shapes;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** As an MXBean maps a record: the type named after the class, each item described by its own name. */
    private static CompositeType type(String[] items, OpenType<?>[] types, boolean longDescriptions) throws Exception {
        String[] descriptions = items.clone();
        if (longDescriptions) {
            for (int i = 0; i < descriptions.length; i++) {
                descriptions[i] = "What " + items[i] + " means, as an administrator reads it in jconsole: a sentence"
                        + " or two of explanation";
            }
        }
        return new CompositeType("io.daxguard.agent.jmx.OwnerView", "io.daxguard.agent.jmx.OwnerView", items,
                descriptions, types);
    }

    private static Object rows(CompositeType type, Map<String, Object> item) throws Exception {
        Map<String, Object> values = new TreeMap<>();
        for (String name : type.keySet()) {
            values.put(name, item.get(name));
        }
        return new CompositeData[] {new CompositeDataSupport(type, values)};
    }
}
