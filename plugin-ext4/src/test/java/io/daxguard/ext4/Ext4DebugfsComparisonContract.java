package io.daxguard.ext4;

import static io.daxguard.ext4.Ext4Files.BLOCK;
import static io.daxguard.ext4.Ext4Files.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.FailureRange;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.MetadataOwner;
import io.daxguard.spi.Owner;
import io.daxguard.support.linux.FilesystemStats;
import io.daxguard.support.linux.FsmapRecord;
import io.daxguard.support.linux.Getfsmap;
import io.daxguard.support.linux.NativeFile;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.Privileges;
import io.daxguard.testkit.ScratchFilesystem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * daxguard against e2fsprogs on the same image: for a few hundred random allocated blocks (GETFSMAP's
 * "unknown", where ext4 cannot name the owner), the owner daxguard names must be the inode {@code debugfs
 * icheck} names, and its paths those {@code ncheck} prints.
 */
@Tag("mount")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class Ext4DebugfsComparisonContract {
    private static final int SAMPLES = 300;
    private ScratchFilesystem fs;
    private int blockSize;

    /** The filesystem to compare on; each subclass makes one with its own mkfs options. */
    abstract ScratchFilesystem filesystem();

    /** Whether files can have unwritten (preallocated) extents; block-mapped files cannot. */
    boolean supportsPreallocation() {
        return true;
    }

    @BeforeAll
    void populate() throws IOException {
        fs = filesystem();
        try (NativeFile mountPoint = NativeFile.openDirectory(fs.mountPoint())) {
            blockSize = (int) FilesystemStats.of(mountPoint).blockSize();
        }
        Privileges.requireRootLoopAnd("debugfs", "fsfreeze", "fallocate", "sync");
        Random random = new Random(42);
        int[] sizes = {100, 5000, 50_000, 300_000, 2_000_000};
        for (int d = 0; d < 8; d++) {
            Path directory = Files.createDirectories(fs.path("d" + d + "/sub" + (d % 3)));
            for (int f = 0; f < 40; f++) {
                Path file = write(directory.resolve("f" + f), 0, sizes[random.nextInt(sizes.length)],
                        random.nextLong());
                if (f % 13 == 0) {
                    Files.createLink(fs.path("d" + d + "/link" + f), file);
                }
                if (f % 11 == 0) {
                    // Distinct sizes: identical xattr blocks would be shared, and icheck names one sharer only.
                    Ext4Files.setXattr(file, "unique", blockSize / 4 + d * 4 + f / 11);
                }
            }
            Path fragmented = directory.resolve("fragmented");
            for (int i = 0; i < 30; i++) {
                write(fragmented, 2L * i * BLOCK, BLOCK, i);
            }
        }
        if (supportsPreallocation()) {
            Command.run("fallocate", "-l", "4M", fs.path("preallocated").toString());
        }
        Command.run("sync");
    }

    @Test
    void namesTheInodesDebugfsIcheckNamesAndThePathsNcheckPrints() throws Exception {
        TreeSet<Long> sample = new TreeSet<>(randomAllocatedUnknownBlocks());
        int random = sample.size();
        // Small structures a uniform sample rarely hits: directories (unless inline), extent-tree and xattr blocks.
        E2fsTools.frozen(fs.mountPoint(), () -> {
            for (int d = 0; d < 8; d++) {
                sample.addAll(E2fsTools.dataBlocks(fs.device(), "d" + d));
                sample.addAll(E2fsTools.dataBlocks(fs.device(), "d" + d + "/sub" + (d % 3)));
                long fragmented = Ext4Files.inodeOf(fs.path("d" + d + "/sub" + (d % 3) + "/fragmented"));
                sample.addAll(E2fsTools.extentTreeBlocks(fs.device(), fragmented));
                long withXattr = Ext4Files.inodeOf(fs.path("d" + d + "/sub" + (d % 3) + "/f11"));
                sample.add(E2fsTools.xattrBlock(fs.device(), withXattr));
            }
            return null;
        });
        assertThat(sample.size()).as("extent-tree and xattr blocks added").isGreaterThan(random + 8);
        List<Long> blocks = new ArrayList<>(sample);
        Map<Long, Long> icheck = E2fsTools.frozen(fs.mountPoint(),
                () -> E2fsTools.icheck(fs.device(), blocks));
        Map<Long, Set<String>> ncheck = E2fsTools.frozen(fs.mountPoint(),
                () -> E2fsTools.ncheck(fs.device(), new TreeSet<>(icheck.values())));
        List<String> differences = new ArrayList<>();
        try (Ext4Holder holder = Ext4Files.attached(fs)) {
            for (long block : blocks) {
                Set<Long> ours = inodesNamed(holder.notifyFailure(FailureRange.of(block * blockSize, blockSize)));
                Set<Long> theirs = icheck.containsKey(block) ? Set.of(icheck.get(block)) : Set.of();
                if (!ours.equals(theirs)) {
                    differences.add("block " + block + ": daxguard " + ours + ", debugfs " + theirs);
                }
            }
            for (Map.Entry<Long, Set<String>> entry : ncheck.entrySet()) {
                Set<String> ourPaths = new HashSet<>();
                holder.pathsOf(entry.getKey()).forEach(p -> ourPaths.add(fs.mountPoint()
                        .relativize(java.nio.file.Path.of(p.display())).toString()));
                if (!ourPaths.equals(entry.getValue())) {
                    differences.add("inode " + entry.getKey() + ": daxguard " + ourPaths + ", ncheck "
                            + entry.getValue());
                }
            }
        }
        assertThat(icheck).as("debugfs named owners for most sampled blocks").hasSizeGreaterThan(SAMPLES / 2);
        assertThat(differences).isEmpty();
    }

    /** The inodes daxguard names: file owners, and the journal (inode 8) and resize inode (7) it names as metadata. */
    private static Set<Long> inodesNamed(List<Owner> owners) {
        Set<Long> inodes = new HashSet<>();
        for (Owner owner : owners) {
            if (owner instanceof FileOwner file) {
                inodes.add(file.inode());
            } else if (owner instanceof MetadataOwner metadata && metadata.kind().equals("ext4.journal")) {
                inodes.add(8L);
            } else if (owner instanceof MetadataOwner metadata && metadata.kind().equals("ext4.resize_inode")) {
                inodes.add(7L);
            }
        }
        return inodes;
    }

    private List<Long> randomAllocatedUnknownBlocks() throws IOException {
        List<long[]> unknown = new ArrayList<>();
        long[] total = {0};
        try (NativeFile mountPoint = NativeFile.openDirectory(fs.mountPoint())) {
            Getfsmap.query(mountPoint, fs.deviceNumber().encoded(), 0, Long.MAX_VALUE,
                    Getfsmap.DEFAULT_BATCH, record -> {
                        if (record.isSpecialOwner() && record.owner() == FsmapRecord.OWN_UNKNOWN) {
                            unknown.add(new long[] {record.physical() / blockSize, record.length() / blockSize});
                            total[0] += record.length() / blockSize;
                        }
                        return true;
                    });
        }
        Random random = new Random(7);
        TreeSet<Long> blocks = new TreeSet<>();
        while (blocks.size() < SAMPLES) {
            long pick = (long) (random.nextDouble() * total[0]);
            for (long[] range : unknown) {
                if (pick < range[1]) {
                    blocks.add(range[0] + pick);
                    break;
                }
                pick -= range[1];
            }
        }
        return new ArrayList<>(blocks);
    }
}
