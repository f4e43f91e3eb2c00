package io.daxguard.bench;

import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.FailureRange;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.FilesystemPlugin;
import io.daxguard.spi.Holder;
import io.daxguard.spi.LinuxPath;
import io.daxguard.spi.Mount;
import io.daxguard.spi.Owner;
import io.daxguard.spi.PathNames;
import io.daxguard.spi.PluginContext;
import io.daxguard.support.linux.FileStatus;
import io.daxguard.support.linux.MountInfo;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The daxguard side of {@code run-btrfs.sh}: the btrfs plugin's holder (found as the agent finds it, through
 * {@link ServiceLoader}), asked for the owners of each queried 4 KiB block of a member device and the names of
 * every file owning it ({@link PathNames#pathsOf(long, java.util.Collection)}, per subvolume). Prints timings and
 * writes one answer line per query: {@code <logical> <path> <path> ...}, paths absolute and sorted, as the peer's
 * are compared.
 *
 * <pre>
 * java -cp ... io.daxguard.bench.BtrfsResolve MOUNT QUERIES ANSWERS
 *   QUERIES: one query a line, "logical device physical" (device: /dev/loopN)
 *   cold: the first pass, in a fresh JVM, after the runner dropped the caches
 *   warm: the median of -Ddaxguard.bench.warmPasses (default 5) passes after it
 * </pre>
 */
public final class BtrfsResolve {
    private static final int WARM_PASSES = Integer.getInteger("daxguard.bench.warmPasses", 5);
    private static final int BLOCK = 4096;

    private BtrfsResolve() {
    }

    record Query(long logical, DeviceNumber device, long physical) {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: BtrfsResolve MOUNT QUERIES ANSWERS");
            System.exit(2);
        }
        Path mountPoint = Path.of(args[0]).toRealPath();
        List<Query> queries = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(args[1]))) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length == 3) {
                queries.add(new Query(Long.parseLong(fields[0]), FileStatus.ofPath(Path.of(fields[1])).rdev(),
                        Long.parseLong(fields[2])));
            }
        }
        FilesystemPlugin plugin = ServiceLoader.load(FilesystemPlugin.class).stream().map(ServiceLoader.Provider::get)
                .filter(p -> p.type().equals("btrfs")).findFirst().orElseThrow();
        long start = System.nanoTime();
        try (Holder holder = plugin.attach(mountOf(mountPoint), PluginContext.of(System.getLogger("bench")))) {
            List<String> answers = pass(holder, mountPoint, queries);
            double cold = (System.nanoTime() - start) / 1e9;
            double[] warm = new double[WARM_PASSES];
            for (int i = 0; i < WARM_PASSES; i++) {
                long passStart = System.nanoTime();
                pass(holder, mountPoint, queries);
                warm[i] = (System.nanoTime() - passStart) / 1e9;
            }
            Arrays.sort(warm);
            System.out.printf("daxguard_cold_s=%.4f%n", cold);
            System.out.printf("daxguard_warm_s=%.4f%n", warm.length == 0 ? Double.NaN : warm[warm.length / 2]);
            System.out.printf("daxguard_queries=%d%n", queries.size());
            try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(Path.of(args[2])))) {
                answers.forEach(out::println);
            }
        }
    }

    /** Every query's owners, then every owning file's names, subvolume by subvolume. */
    private static List<String> pass(Holder holder, Path mountPoint, List<Query> queries) throws Exception {
        List<List<Owner>> owners = new ArrayList<>(queries.size());
        Map<Long, TreeSet<Long>> inodesBySubvolume = new TreeMap<>();
        for (Query query : queries) {
            List<Owner> found = holder.notifyFailure(query.device(), FailureRange.of(query.physical(), BLOCK));
            owners.add(found);
            for (Owner owner : found) {
                if (owner instanceof FileOwner file) {
                    inodesBySubvolume.computeIfAbsent(file.subvolume(), s -> new TreeSet<>()).add(file.inode());
                }
            }
        }
        PathNames names = holder.pathNames().orElseThrow();
        Map<Long, Map<Long, List<LinuxPath>>> paths = new TreeMap<>();
        for (Map.Entry<Long, TreeSet<Long>> subvolume : inodesBySubvolume.entrySet()) {
            paths.put(subvolume.getKey(), names.pathsOf(subvolume.getKey(), subvolume.getValue())
                    .orElseThrow(() -> new IllegalStateException("no names for subvolume " + subvolume.getKey())));
        }
        LinuxPath mount = LinuxPath.of(mountPoint);
        List<String> answers = new ArrayList<>(queries.size());
        for (int i = 0; i < queries.size(); i++) {
            TreeSet<String> named = new TreeSet<>();
            for (Owner owner : owners.get(i)) {
                if (owner instanceof FileOwner file) {
                    for (LinuxPath path : paths.get(file.subvolume()).get(file.inode())) {
                        named.add(mount.join(path).display());
                    }
                } else {
                    named.add("<" + owner.getClass().getSimpleName() + ">");
                }
            }
            answers.add(queries.get(i).logical() + " " + String.join(" ", named));
        }
        return answers;
    }

    /**
     * The mount record of {@code mountPoint} from {@code /proc/self/mountinfo}, as the agent reads it: bytes, the
     * kernel's octal escapes ({@code \040} for a space, {@code \134} for a backslash...) in the root, mount point and
     * source decoded, so a mount point with a space in its name is found.
     */
    private static Mount mountOf(Path mountPoint) throws Exception {
        LinuxPath wanted = LinuxPath.of(mountPoint);
        // ISO-8859-1: one char a byte, so the bytes of a name that is not UTF-8 come back as they were.
        String table = new String(Files.readAllBytes(Path.of("/proc/self/mountinfo")), StandardCharsets.ISO_8859_1);
        for (String line : table.split("\n")) {
            String[] fields = line.split(" ");
            if (fields.length > 4 && decoded(fields[4]).equals(wanted)) {
                int separator = List.of(fields).indexOf("-");
                return new Mount(Integer.parseInt(fields[0]), DeviceNumber.parse(fields[2]),
                        decoded(fields[3]).display(), decoded(fields[4]), fields[separator + 1],
                        decoded(fields[separator + 2]).display(), fields[5] + "," + fields[separator + 3]);
            }
        }
        throw new IllegalStateException(mountPoint + " is not in /proc/self/mountinfo");
    }

    /** A mountinfo field with its escapes decoded, as the support library decodes them. */
    private static LinuxPath decoded(String field) {
        return LinuxPath.of(MountInfo.unescape(field.getBytes(StandardCharsets.ISO_8859_1)));
    }
}
