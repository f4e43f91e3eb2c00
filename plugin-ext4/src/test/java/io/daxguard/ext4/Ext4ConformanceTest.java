package io.daxguard.ext4;


import io.daxguard.spi.FilesystemPlugin;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.FaultyDisk;
import io.daxguard.testkit.ScratchFilesystem;
import io.daxguard.testkit.conformance.ConformanceFilesystem;
import io.daxguard.testkit.conformance.FilesystemFacts;
import io.daxguard.testkit.conformance.KnownRange;
import io.daxguard.testkit.conformance.PluginConformanceSuite;
import io.daxguard.testkit.conformance.Refusal;
import io.daxguard.testkit.conformance.XfsIoFsmap;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The plugin conformance suite on ext4 (no reflink), on 512-byte sectors (a scratch image, mkfs's default 1 KiB
 * blocks at this size) and on 4096-byte logical sectors (a 4Kn faulty disk, 4 KiB blocks). Ground truth from
 * {@code dumpe2fs}: each group's superblock, descriptors, bitmaps and inode table, and its free blocks.
 */
@Tag("mount")
class Ext4ConformanceTest {
    private static final Pattern BLOCK_SIZE = Pattern.compile("(?m)^Block size:\\s+(\\d+)$");
    private static final Pattern METADATA = Pattern.compile(
            "(superblock|Group descriptors|Reserved GDT blocks|Block bitmap|Inode bitmap|Inode table) at (\\d+)(?:-(\\d+))?");
    private static final Pattern FREE_LINE = Pattern.compile("(?m)^  Free blocks: (.*)$");

    @Nested
    class On512ByteSectors extends Ext4Suite {
        @Override
        protected ConformanceFilesystem createFilesystem() throws IOException {
            return ConformanceFilesystem.of(ScratchFilesystem.ext4().create());
        }
    }

    @Nested
    class On4096ByteSectors extends Ext4Suite {
        @Override
        protected ConformanceFilesystem createFilesystem() throws IOException {
            return ConformanceFilesystem.of(FaultyDisk.ext4().logicalSectorSize(4096).create());
        }
    }

    abstract static class Ext4Suite extends PluginConformanceSuite {
        @Override
        protected FilesystemPlugin plugin() {
            return new Ext4Plugin();
        }

        @Override
        protected FilesystemFacts facts(ConformanceFilesystem fs) throws IOException {
            String dump = Command.run("dumpe2fs", fs.device().toString());
            Matcher size = BLOCK_SIZE.matcher(dump);
            if (!size.find()) {
                throw new IOException("dumpe2fs printed no block size");
            }
            long block = Long.parseLong(size.group(1));
            List<KnownRange> metadata = new ArrayList<>();
            Matcher named = METADATA.matcher(dump);
            while (named.find()) {
                long first = Long.parseLong(named.group(2));
                long last = named.group(3) == null ? first : Long.parseLong(named.group(3));
                metadata.add(new KnownRange(first * block, (last - first + 1) * block, "dumpe2fs: " + named.group()));
            }
            List<KnownRange> free = new ArrayList<>();
            Matcher line = FREE_LINE.matcher(dump);
            while (line.find()) {
                for (String run : line.group(1).split(",")) {
                    String[] ends = run.strip().split("-");
                    if (ends[0].isEmpty()) {
                        continue;
                    }
                    long first = Long.parseLong(ends[0]);
                    long last = ends.length == 2 ? Long.parseLong(ends[1]) : first;
                    free.add(new KnownRange(first * block, (last - first + 1) * block, "dumpe2fs: free " + run.strip()));
                }
            }
            // GETFSMAP counts blocks preallocated for later writes (locality groups) as in use, the on-disk bitmap
            // dumpe2fs reads as free: only what both call free is.
            return new FilesystemFacts(metadata, KnownRange.intersection(free, XfsIoFsmap.free(fs)));
        }

        /** The index walks the tree from the mount's root, so a mount of a subdirectory is refused. */
        @Override
        protected Refusal refusal(ConformanceFilesystem fs) throws IOException {
            return Refusal.ofBindMount(fs, "sub", "attach a mount of its root");
        }
    }
}
