package io.daxguard.ext4;

import io.daxguard.testkit.FixedPluginContext;
import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.FailureRange;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.Mount;
import io.daxguard.spi.Owner;
import io.daxguard.spi.PluginContext;
import io.daxguard.support.linux.FileStatus;
import io.daxguard.support.linux.FsmapRecord;
import io.daxguard.support.linux.Getfsmap;
import io.daxguard.support.linux.NativeFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;

/**
 * Not a test: the measurement behind the figures in the report of issue 3, kept for bench/. Attaches to a
 * mounted ext4, waits for the index, then names the owners and paths of N random allocated-unknown blocks
 * three times, and writes the blocks (for {@code debugfs -R "icheck ..."}) to {@code blocks.txt}.
 *
 * <pre>
 * mvn -q -B -pl plugin-ext4 -am test-compile
 * java -cp plugin-ext4/target/test-classes:plugin-ext4/target/classes:plugin-api/target/classes:$JNA_JAR \
 *      io.daxguard.ext4.IndexBuildMeasurement /mnt/point /dev/loopN 1000 inode-tables|fiemap
 * </pre>
 */
public final class IndexBuildMeasurement {
    private IndexBuildMeasurement() {
    }

    public static void main(String[] args) throws Exception {
        Path mountPoint = Path.of(args[0]);
        DeviceNumber device = FileStatus.ofPath(Path.of(args[1])).rdev();
        int samples = Integer.parseInt(args[2]);
        PluginContext context = FixedPluginContext.withSettings("measurement", Map.of(Ext4Plugin.INDEX_SOURCE, args[3]));
        long started = System.nanoTime();
        try (Ext4Holder holder = (Ext4Holder) new Ext4Plugin().attach(
                new Mount(0, device, "/", io.daxguard.spi.LinuxPath.of(mountPoint), "ext4", args[1], "rw"), context)) {
            holder.awaitIndex(Duration.ofHours(1));
            long built = System.nanoTime();
            System.out.printf("attach + index build: %.0f ms (%s)%n", (built - started) / 1e6, holder.indexProgress());
            List<Long> blocks = randomAllocatedUnknownBlocks(mountPoint, device, samples, holder.info().blockSize());
            Files.writeString(Path.of("blocks.txt"), blocks.stream().map(String::valueOf)
                    .collect(Collectors.joining(" ")));
            for (int round = 0; round < 3; round++) {
                long from = System.nanoTime();
                int owners = 0;
                int paths = 0;
                for (long block : blocks) {
                    long offset = block * holder.info().blockSize();
                    for (Owner owner : holder.notifyFailure(FailureRange.of(offset, holder.info().blockSize()))) {
                        if (owner instanceof FileOwner file) {
                            owners++;
                            paths += holder.pathsOf(file.inode()).size();
                        }
                    }
                }
                System.out.printf("round %d: %d blocks -> %d file owners, %d paths in %.1f ms%n", round,
                        blocks.size(), owners, paths, (System.nanoTime() - from) / 1e6);
            }
        }
    }

    private static List<Long> randomAllocatedUnknownBlocks(Path mountPoint, DeviceNumber device, int samples,
                                                          int blockSize) throws Exception {
        List<long[]> unknown = new ArrayList<>();
        try (NativeFile open = NativeFile.openDirectory(mountPoint)) {
            Getfsmap.query(open, device.encoded(), 0, Long.MAX_VALUE, Getfsmap.DEFAULT_BATCH, record -> {
                if (record.isSpecialOwner() && record.owner() == FsmapRecord.OWN_UNKNOWN) {
                    unknown.add(new long[] {record.physical() / blockSize, record.length() / blockSize});
                }
                return true;
            });
        }
        long total = unknown.stream().mapToLong(range -> range[1]).sum();
        Random random = new Random(3);
        List<Long> blocks = new ArrayList<>();
        while (blocks.size() < samples) {
            long pick = (long) (random.nextDouble() * total);
            for (long[] range : unknown) {
                if (pick < range[1]) {
                    blocks.add(range[0] + pick);
                    break;
                }
                pick -= range[1];
            }
        }
        return blocks;
    }
}
