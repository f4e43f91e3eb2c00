package io.daxguard.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import javax.management.InstanceNotFoundException;
import javax.management.MBeanException;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.ReflectionException;
import javax.management.openmbean.CompositeData;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * The benchmark's JMX client: what a vendor's tool does against a running, packaged agent. It uses only the JDK
 * (javax.management, open types): no daxguard class is on its class path, so it sees exactly what any JMX client
 * sees. Run it straight from source, no build needed: {@code java bench/src/main/java/io/daxguard/bench/JmxQueries.java ...}
 * (run-interfaces.sh compiles it once with javac into a directory of its own).
 *
 * <p>Over 400 lines because it is one source file that runs with the JDK alone ({@code java JmxQueries.java}, or
 * javac of this file only): the answer checks, the timing and every mode share it, with no second file to find.
 *
 * <pre>
 * ready URL MOUNT T0_EPOCH_MS TIMEOUT_S
 *     connects (retrying while the agent starts), waits for the Filesystem MBean of MOUNT and for its reverse map
 *     (awaitReverseMap); prints start_to_ready_s (from T0, the moment the agent was launched) and the status.
 * single|batch|columns URL MOUNT TRUTH PATHS WARMUP PASSES [--drop-caches] [--client-warmup N] [--batch-size N]
 *         [--baseline]
 *     resolves every query of TRUTH: single = one Filesystem.resolve(offset, length) per query; batch =
 *     Filesystem.resolveRanges(long[], long[]) in chunks of --batch-size; columns = the same chunks through
 *     Filesystem.resolveRangesAsColumns (one CompositeData of arrays). WARMUP untimed passes, then PASSES timed
 *     ones (the median is reported). --drop-caches: sync and drop the page, dentry and inode caches after
 *     connecting, just before the first pass (the cold case: the agent runs and holds the filesystem).
 *     --client-warmup N: before that, N getAttribute round trips each of Type and of Scrub (a CompositeData), so
 *     this client JVM has compiled its own reading of replies and a cold figure is not this client's JIT warm-up
 *     (a vendor's tool is a running JVM; the agent's answers to these questions are not warmed by it).
 *     --baseline: also times one getAttribute round trip per query on the same connection (per-call floor): of
 *     Type (a String) and of Scrub (a CompositeData the agent makes for nothing: the floor of any call that
 *     answers one, as resolve does); then the three interleaved query by query, PASSES times, medians per call.
 *     The answers of the first and the last timed pass are checked against TRUTH and PATHS.
 * check-json MOUNT TRUTH PATHS JSON_FILE
 *     checks the answers of `daxguard resolve MOUNT --from FILE --json` the same way.
 * </pre>
 *
 * TRUTH lines: {@code offset length category expected}, category file|dir|shared|metadata|free; expected is the
 * comma-separated inode set (file, dir, shared), the structure kind (metadata, e.g. ext4.inode_table) or "-".
 * PATHS lines: {@code inode /path/inside/the/filesystem} (one per name, from find -printf '%i /%P').
 */
public final class JmxQueries {
    private static final PrintStream OUT = System.out;

    private JmxQueries() {
    }

    /** One question and what the filesystem's own tools say owns it. */
    record Query(long offset, long length, String category, String expected) {
        Set<Long> expectedInodes() {
            Set<Long> inodes = new TreeSet<>();
            if (!expected.equals("-") && !category.equals("metadata") && !category.equals("free")) {
                for (String inode : expected.split(",")) {
                    inodes.add(Long.parseLong(inode));
                }
            }
            return inodes;
        }
    }

    /** One owner as the agent answered it, reduced to what is checked. */
    record Owner(String kind, long inode, String structure, boolean shared, Set<String> paths) {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            usage();
        }
        switch (args[0]) {
            case "ready" -> ready(args);
            case "single", "batch", "columns" -> measure(args);
            case "check-json" -> checkJson(args);
            default -> usage();
        }
    }

    private static void usage() {
        System.err.println("usage: JmxQueries ready URL MOUNT T0_EPOCH_MS TIMEOUT_S\n"
                + "       JmxQueries single|batch|columns URL MOUNT TRUTH PATHS WARMUP PASSES [--drop-caches] [--client-warmup N]"
                + " [--batch-size N]"
                + " [--baseline]\n       JmxQueries check-json MOUNT TRUTH PATHS JSON_FILE");
        System.exit(2);
    }

    static ObjectName filesystemName(String mount) throws Exception {
        return new ObjectName("io.daxguard:type=Filesystem,name=" + ObjectName.quote(mount));
    }

    // ---------------------------------------------------------------- ready

    private static void ready(String[] args) throws Exception {
        String url = args[1];
        ObjectName filesystem = filesystemName(args[2]);
        long t0 = Long.parseLong(args[3]);
        long deadline = System.currentTimeMillis() + Long.parseLong(args[4]) * 1000;
        JMXConnector connector = null;
        while (connector == null) {
            try {
                connector = JMXConnectorFactory.connect(new JMXServiceURL(url));
            } catch (IOException notYet) {
                failAfter(deadline, "no agent at " + url + ": " + notYet);
                Thread.sleep(20); // polling a port that is not open yet: there is nothing to wait on
            }
        }
        long connected = System.currentTimeMillis();
        try (JMXConnector open = connector) {
            MBeanServerConnection agent = open.getMBeanServerConnection();
            while (!agent.isRegistered(filesystem)) {
                failAfter(deadline, "the agent holds no filesystem named " + filesystem);
                Thread.sleep(20);
            }
            long held = System.currentTimeMillis();
            while (!(Boolean) agent.invoke(filesystem, "awaitReverseMap", new Object[] {60}, new String[] {"int"})) {
                String status = String.valueOf(agent.getAttribute(filesystem, "ReverseMapStatus"));
                if (status.contains("failed")) { // a refused or failed build: waiting longer shows nothing new
                    System.err.println("JmxQueries: reverse map failed: " + status);
                    System.exit(1);
                }
                failAfter(deadline, "reverse map not ready: " + status);
            }
            long ready = System.currentTimeMillis();
            OUT.printf(Locale.ROOT, "start_to_connect_s=%.3f start_to_held_s=%.3f start_to_ready_s=%.3f%n",
                    (connected - t0) / 1e3, (held - t0) / 1e3, (ready - t0) / 1e3);
            OUT.println("reverse_map=" + agent.getAttribute(filesystem, "ReverseMap"));
            OUT.println("reverse_map_status=" + agent.getAttribute(filesystem, "ReverseMapStatus"));
        }
    }

    private static void failAfter(long deadline, String why) {
        if (System.currentTimeMillis() > deadline) {
            System.err.println("JmxQueries: timed out: " + why);
            System.exit(1);
        }
    }

    // ---------------------------------------------------------------- measure

    private static void measure(String[] args) throws Exception {
        String label = args[0];
        String url = args[1];
        String mount = args[2];
        List<Query> queries = readTruth(Path.of(args[3]));
        Map<Long, Set<String>> paths = readPaths(Path.of(args[4]));
        int warmup = Integer.parseInt(args[5]);
        int passes = Integer.parseInt(args[6]);
        boolean dropCaches = false;
        boolean baseline = false;
        int batchSize = 1000;
        int clientWarmup = 0;
        for (int i = 7; i < args.length; i++) {
            switch (args[i]) {
                case "--drop-caches" -> dropCaches = true;
                case "--client-warmup" -> clientWarmup = Integer.parseInt(args[++i]);
                case "--baseline" -> baseline = true;
                case "--batch-size" -> batchSize = Integer.parseInt(args[++i]);
                default -> usage();
            }
        }
        ObjectName filesystem = filesystemName(mount);
        try (JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(url))) {
            MBeanServerConnection agent = connector.getMBeanServerConnection();
            agent.getAttribute(filesystem, "Type"); // the connection is set up before the clock runs
            for (int i = 0; i < clientWarmup; i++) {
                agent.getAttribute(filesystem, "Type");
                agent.getAttribute(filesystem, "Scrub");
            }
            if (dropCaches) {
                dropCaches();
            }
            double[] seconds = new double[passes];
            List<List<Owner>> first = null;
            List<List<Owner>> last = null;
            for (int pass = 0; pass < warmup + passes; pass++) {
                long start = System.nanoTime();
                List<List<Owner>> answers = switch (label) {
                    case "batch" -> batchPass(agent, filesystem, queries, batchSize);
                    case "columns" -> columnsPass(agent, filesystem, queries, batchSize);
                    default -> singlePass(agent, filesystem, queries);
                };
                long elapsed = System.nanoTime() - start;
                if (pass == 0) {
                    first = answers;
                }
                if (pass >= warmup) {
                    seconds[pass - warmup] = elapsed / 1e9;
                }
                last = answers;
            }
            OUT.printf(Locale.ROOT, "%s_s=%.4f %s_per_query_us=%.1f runs_%s_s=%s queries=%d%n", label, median(seconds),
                    label, median(seconds) * 1e6 / queries.size(), label, joined(seconds), queries.size());
            Verdict firstVerdict = check(queries, first, paths);
            Verdict lastVerdict = check(queries, last, paths);
            OUT.println(label + "_first_pass " + firstVerdict.line());
            OUT.println(label + "_last_pass " + lastVerdict.line());
            firstVerdict.mismatches().stream().limit(20).forEach(m -> OUT.println("MISMATCH " + m));
            if (baseline) {
                double[] attribute = attributePasses(agent, filesystem, "Type", queries.size(), warmup, passes);
                OUT.printf(Locale.ROOT, "getattribute_s=%.4f getattribute_per_call_us=%.1f runs_getattribute_s=%s%n",
                        median(attribute), median(attribute) * 1e6 / queries.size(), joined(attribute));
                // The floor of any call that answers a CompositeData: Scrub is one (ScrubProgress) that costs the
                // agent nothing to make, so the rest of resolve's cost over it is the invoke and the agent's work.
                double[] composite = attributePasses(agent, filesystem, "Scrub", queries.size(), warmup, passes);
                OUT.printf(Locale.ROOT, "getattribute_composite_s=%.4f getattribute_composite_per_call_us=%.1f"
                        + " runs_getattribute_composite_s=%s%n", median(composite),
                        median(composite) * 1e6 / queries.size(), joined(composite));
                interleaved(agent, filesystem, queries, passes);
            }
            if (firstVerdict.wrong() + lastVerdict.wrong() > 0) {
                System.exit(4);
            }
        }
    }

    /**
     * The three calls side by side, query by query (resolve, getAttribute of Type, getAttribute of Scrub), so that
     * each sees the same load of the machine, and the median of each over {@code passes} passes: the ratio of
     * passes timed one after the other moves with whatever else the machine does meanwhile.
     */
    private static void interleaved(MBeanServerConnection agent, ObjectName filesystem, List<Query> queries,
                                    int passes) throws Exception {
        int calls = queries.size() * passes;
        long[] resolve = new long[calls];
        long[] attribute = new long[calls];
        long[] composite = new long[calls];
        String[] signature = {"long", "long"};
        int at = 0;
        for (int pass = 0; pass < passes; pass++) {
            for (Query query : queries) {
                long start = System.nanoTime();
                agent.invoke(filesystem, "resolve", new Object[] {query.offset(), query.length()}, signature);
                long resolved = System.nanoTime();
                agent.getAttribute(filesystem, "Type");
                long read = System.nanoTime();
                agent.getAttribute(filesystem, "Scrub");
                composite[at] = System.nanoTime() - read;
                attribute[at] = read - resolved;
                resolve[at++] = resolved - start;
            }
        }
        OUT.printf(Locale.ROOT, "interleaved_calls=%d interleaved_resolve_us=%.1f interleaved_getattribute_us=%.1f"
                + " interleaved_getattribute_composite_us=%.1f%n", calls, medianMicros(resolve),
                medianMicros(attribute), medianMicros(composite));
    }

    private static double medianMicros(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2] / 1e3;
    }

    /** Seconds of each timed pass of {@code calls} reads of one attribute, after {@code warmup} untimed passes. */
    private static double[] attributePasses(MBeanServerConnection agent, ObjectName filesystem, String attribute,
                                            int calls, int warmup, int passes) throws Exception {
        double[] seconds = new double[passes];
        for (int pass = 0; pass < warmup + passes; pass++) {
            long start = System.nanoTime();
            for (int i = 0; i < calls; i++) {
                agent.getAttribute(filesystem, attribute);
            }
            if (pass >= warmup) {
                seconds[pass - warmup] = (System.nanoTime() - start) / 1e9;
            }
        }
        return seconds;
    }

    private static void dropCaches() throws Exception {
        Process sync = new ProcessBuilder("sync").inheritIO().start();
        if (sync.waitFor() != 0) {
            throw new IOException("sync failed");
        }
        Files.writeString(Path.of("/proc/sys/vm/drop_caches"), "3");
    }

    private static List<List<Owner>> singlePass(MBeanServerConnection agent, ObjectName filesystem,
                                                List<Query> queries) throws Exception {
        List<List<Owner>> answers = new ArrayList<>(queries.size());
        String[] signature = {"long", "long"};
        for (Query query : queries) {
            Object owners = agent.invoke(filesystem, "resolve", new Object[] {query.offset(), query.length()}, signature);
            answers.add(owners(owners));
        }
        return answers;
    }

    private static List<List<Owner>> batchPass(MBeanServerConnection agent, ObjectName filesystem, List<Query> queries,
                                               int batchSize) throws Exception {
        List<List<Owner>> answers = new ArrayList<>(queries.size());
        String[] signature = {long[].class.getName(), long[].class.getName()};
        for (int from = 0; from < queries.size(); from += batchSize) {
            List<Query> chunk = queries.subList(from, Math.min(queries.size(), from + batchSize));
            long[] offsets = chunk.stream().mapToLong(Query::offset).toArray();
            long[] lengths = chunk.stream().mapToLong(Query::length).toArray();
            Object result;
            try {
                result = agent.invoke(filesystem, "resolveRanges", new Object[] {offsets, lengths}, signature);
            } catch (ReflectionException | MBeanException | InstanceNotFoundException | IllegalArgumentException
                     | SecurityException e) { // a remote agent refuses an operation it does not have as one without an impact
                System.err.println("JmxQueries: the agent has no usable Filesystem.resolveRanges(long[], long[]): " + e);
                OUT.println("batch_unavailable=1");
                System.exit(3);
                return answers;
            }
            Object[] ranges = result instanceof List<?> list ? list.toArray() : (Object[]) result;
            if (ranges.length != chunk.size()) {
                throw new IllegalStateException("resolveRanges answered " + ranges.length + " ranges for " + chunk.size());
            }
            for (int i = 0; i < ranges.length; i++) {
                CompositeData range = (CompositeData) ranges[i];
                if ((Long) range.get("offset") != offsets[i]) {
                    throw new IllegalStateException("resolveRanges answered range " + i + " out of order: "
                            + range.get("offset") + " for " + offsets[i]);
                }
                answers.add(owners(range.get("owners")));
            }
        }
        return answers;
    }

    private static List<List<Owner>> columnsPass(MBeanServerConnection agent, ObjectName filesystem,
                                                 List<Query> queries, int batchSize) throws Exception {
        List<List<Owner>> answers = new ArrayList<>(queries.size());
        String[] signature = {long[].class.getName(), long[].class.getName()};
        for (int from = 0; from < queries.size(); from += batchSize) {
            List<Query> chunk = queries.subList(from, Math.min(queries.size(), from + batchSize));
            CompositeData columns = (CompositeData) agent.invoke(filesystem, "resolveRangesAsColumns", new Object[] {
                chunk.stream().mapToLong(Query::offset).toArray(), chunk.stream().mapToLong(Query::length).toArray()},
                    signature);
            if ((Integer) columns.get("ranges") != chunk.size()) {
                throw new IllegalStateException("resolveRangesAsColumns answered " + columns.get("ranges")
                        + " ranges for " + chunk.size());
            }
            List<List<Owner>> chunkAnswers = new ArrayList<>(chunk.size());
            for (int i = 0; i < chunk.size(); i++) {
                chunkAnswers.add(new ArrayList<>(1));
            }
            int[] range = (int[]) columns.get("range");
            String[] kind = (String[]) columns.get("kind");
            long[] inode = (long[]) columns.get("inode");
            String[] structure = (String[]) columns.get("structure");
            boolean[] shared = (boolean[]) columns.get("shared");
            String[][] paths = (String[][]) columns.get("paths");
            for (int row = 0; row < range.length; row++) {
                chunkAnswers.get(range[row]).add(new Owner(kind[row], inode[row], structure[row], shared[row],
                        new TreeSet<>(Arrays.asList(paths[row]))));
            }
            answers.addAll(chunkAnswers);
        }
        return answers;
    }

    /** The owners of one answer, a CompositeData[] (MXBean arrays) or a List of them. */
    private static List<Owner> owners(Object answer) {
        Object[] rows = answer instanceof List<?> list ? list.toArray() : (Object[]) answer;
        List<Owner> owners = new ArrayList<>(rows.length);
        for (Object row : rows) {
            CompositeData owner = (CompositeData) row;
            Object names = owner.get("paths");
            Object[] pathArray = names instanceof List<?> list ? list.toArray() : (Object[]) names;
            Set<String> paths = new TreeSet<>();
            for (Object path : pathArray) {
                paths.add((String) path);
            }
            owners.add(new Owner((String) owner.get("kind"), (Long) owner.get("inode"), (String) owner.get("structure"),
                    (Boolean) owner.get("shared"), paths));
        }
        return owners;
    }

    // ---------------------------------------------------------------- ground truth

    record Verdict(int right, int wrong, Map<String, int[]> byCategory, List<String> mismatches) {
        String line() {
            StringBuilder line = new StringBuilder("answers_checked=" + (right + wrong) + " answers_right=" + right
                    + " answers_wrong=" + wrong);
            byCategory.forEach((category, counts) -> line.append(' ').append(category).append('=').append(counts[0])
                    .append('/').append(counts[0] + counts[1]));
            return line.toString();
        }
    }

    static Verdict check(List<Query> queries, List<List<Owner>> answers, Map<Long, Set<String>> paths) {
        int right = 0;
        int wrong = 0;
        Map<String, int[]> byCategory = new LinkedHashMap<>();
        List<String> mismatches = new ArrayList<>();
        for (int i = 0; i < queries.size(); i++) {
            Query query = queries.get(i);
            String problem = problem(query, answers.get(i), paths);
            int[] counts = byCategory.computeIfAbsent(query.category(), c -> new int[2]);
            if (problem == null) {
                right++;
                counts[0]++;
            } else {
                wrong++;
                counts[1]++;
                mismatches.add(query.offset() + "+" + query.length() + " " + query.category() + " expected "
                        + query.expected() + ": " + problem);
            }
        }
        return new Verdict(right, wrong, byCategory, mismatches);
    }

    /** What is wrong with one answer, or null when it is what the filesystem's tools say. */
    static String problem(Query query, List<Owner> owners, Map<Long, Set<String>> paths) {
        if (owners.isEmpty()) {
            return "no owner";
        }
        switch (query.category()) {
            case "metadata" -> {
                for (Owner owner : owners) {
                    if (!owner.kind().equals("metadata")) {
                        return "a " + owner.kind() + " owner " + describe(owners);
                    }
                }
                boolean named = owners.stream().anyMatch(o -> o.structure().equals(query.expected()));
                return named ? null : "structure " + describe(owners);
            }
            case "free" -> {
                boolean allFree = owners.stream().allMatch(o -> o.kind().equals("free space"));
                return allFree ? null : "not free: " + describe(owners);
            }
            default -> {
                Set<Long> inodes = new TreeSet<>();
                for (Owner owner : owners) {
                    if (!owner.kind().equals("file")) {
                        return "a " + owner.kind() + " owner " + describe(owners);
                    }
                    inodes.add(owner.inode());
                    Set<String> expectedPaths = paths.getOrDefault(owner.inode(), Set.of());
                    if (!owner.paths().equals(expectedPaths)) {
                        return "inode " + owner.inode() + " paths " + owner.paths() + " expected " + expectedPaths;
                    }
                    if (query.category().equals("shared") && !owner.shared()) {
                        return "inode " + owner.inode() + " not marked shared";
                    }
                }
                return inodes.equals(query.expectedInodes()) ? null : "inodes " + inodes;
            }
        }
    }

    private static String describe(List<Owner> owners) {
        return owners.stream().map(o -> o.kind() + (o.kind().equals("file") ? " " + o.inode() : "")
                + (o.structure().isEmpty() ? "" : " " + o.structure())).toList().toString();
    }

    static List<Query> readTruth(Path file) throws IOException {
        List<Query> queries = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String[] field = line.trim().split("\\s+");
            if (field.length == 4) {
                queries.add(new Query(Long.parseLong(field[0]), Long.parseLong(field[1]), field[2], field[3]));
            }
        }
        if (queries.isEmpty()) {
            throw new IllegalArgumentException(file + " holds no query");
        }
        return queries;
    }

    static Map<Long, Set<String>> readPaths(Path file) throws IOException {
        Map<Long, Set<String>> paths = new HashMap<>();
        for (String line : Files.readAllLines(file, StandardCharsets.ISO_8859_1)) {
            int space = line.indexOf(' ');
            if (space > 0) {
                paths.computeIfAbsent(Long.parseLong(line.substring(0, space)), i -> new TreeSet<>())
                        .add(line.substring(space + 1));
            }
        }
        return paths;
    }

    // ---------------------------------------------------------------- the command line's JSON

    private static void checkJson(String[] args) throws Exception {
        List<Query> queries = readTruth(Path.of(args[2]));
        Map<Long, Set<String>> paths = readPaths(Path.of(args[3]));
        Object json = new MiniJson(Files.readString(Path.of(args[4]), StandardCharsets.UTF_8)).values();
        List<Map<?, ?>> ranges = new ArrayList<>();
        collectRanges(json, ranges);
        Map<Long, List<Owner>> byOffset = new HashMap<>();
        for (Map<?, ?> range : ranges) {
            List<Owner> owners = new ArrayList<>();
            for (Object item : (List<?>) range.get("owners")) {
                Map<?, ?> owner = (Map<?, ?>) item;
                Set<String> names = new TreeSet<>();
                for (Object path : (List<?>) owner.get("paths")) {
                    names.add((String) path);
                }
                owners.add(new Owner((String) owner.get("kind"), ((Number) owner.get("inode")).longValue(),
                        String.valueOf(owner.get("structure")), Boolean.TRUE.equals(owner.get("shared")), names));
            }
            byOffset.put(((Number) range.get("offset")).longValue(), owners);
        }
        List<List<Owner>> answers = new ArrayList<>();
        for (Query query : queries) {
            answers.add(byOffset.getOrDefault(query.offset(), List.of()));
        }
        Verdict verdict = check(queries, answers, paths);
        OUT.println("cli_ranges_answered=" + ranges.size() + " cli " + verdict.line());
        verdict.mismatches().stream().limit(20).forEach(m -> OUT.println("MISMATCH " + m));
        System.exit(verdict.wrong() == 0 ? 0 : 4);
    }

    /** Every JSON object that has an offset and owners, wherever the command put it. */
    private static void collectRanges(Object json, List<Map<?, ?>> ranges) {
        if (json instanceof Map<?, ?> map) {
            if (map.containsKey("owners") && map.containsKey("offset")) {
                ranges.add(map);
                return;
            }
            map.values().forEach(value -> collectRanges(value, ranges));
        } else if (json instanceof List<?> list) {
            list.forEach(value -> collectRanges(value, ranges));
        }
    }

    /** Enough of JSON for the command's output (one document, or one per line), with no library. */
    static final class MiniJson {
        private final String text;
        private int at;

        MiniJson(String text) {
            this.text = text;
        }

        List<Object> values() {
            List<Object> values = new ArrayList<>();
            for (skip(); at < text.length(); skip()) {
                values.add(value());
            }
            return values;
        }

        private void skip() {
            while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
                at++;
            }
        }

        private Object value() {
            skip();
            char c = text.charAt(at);
            if (c == '{') {
                Map<String, Object> map = new LinkedHashMap<>();
                at++;
                for (skip(); text.charAt(at) != '}'; skip()) {
                    String key = string();
                    skip();
                    expect(':');
                    map.put(key, value());
                    skip();
                    if (text.charAt(at) == ',') {
                        at++;
                    }
                }
                at++;
                return map;
            }
            if (c == '[') {
                List<Object> list = new ArrayList<>();
                at++;
                for (skip(); text.charAt(at) != ']'; skip()) {
                    list.add(value());
                    skip();
                    if (text.charAt(at) == ',') {
                        at++;
                    }
                }
                at++;
                return list;
            }
            if (c == '"') {
                return string();
            }
            int start = at;
            while (at < text.length() && ",}] \n\r\t".indexOf(text.charAt(at)) < 0) {
                at++;
            }
            String word = text.substring(start, at);
            return switch (word) {
                case "true" -> Boolean.TRUE;
                case "false" -> Boolean.FALSE;
                case "null" -> null;
                default -> word.contains(".") || word.contains("e") ? (Object) Double.parseDouble(word)
                        : (Object) Long.parseLong(word);
            };
        }

        private String string() {
            expect('"');
            StringBuilder out = new StringBuilder();
            while (text.charAt(at) != '"') {
                char c = text.charAt(at++);
                if (c == '\\') {
                    char e = text.charAt(at++);
                    switch (e) {
                        case 'n' -> out.append('\n');
                        case 't' -> out.append('\t');
                        case 'r' -> out.append('\r');
                        case 'b' -> out.append('\b');
                        case 'f' -> out.append('\f');
                        case 'u' -> {
                            out.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
                            at += 4;
                        }
                        default -> out.append(e);
                    }
                } else {
                    out.append(c);
                }
            }
            at++;
            return out.toString();
        }

        private void expect(char c) {
            if (text.charAt(at) != c) {
                throw new IllegalArgumentException("JSON: expected '" + c + "' at " + at + ", found '"
                        + text.charAt(at) + "'");
            }
            at++;
        }
    }

    // ---------------------------------------------------------------- figures

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[(sorted.length - 1) / 2];
    }

    private static String joined(double[] values) {
        StringBuilder out = new StringBuilder();
        for (double value : values) {
            out.append(out.length() == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.4f", value));
        }
        return out.toString();
    }
}
