package io.daxguard.support.index;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.LinuxPath;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExtentIndexTest {
    private static final LinuxPath ROOT = LinuxPath.ofText("/mnt/data");
    private static final long ROOT_INODE = 2;

    /** /a (inode 12, 2 extents), /dir (inode 13) holding b (inode 14) and c, a hard link to /a. */
    private static ExtentIndex sample() {
        IndexAssembler assembler = new IndexAssembler(ROOT_INODE);
        assembler.addFile(ROOT_INODE, 0);
        assembler.addLink(0, name("a"), 12, false);
        int dir = assembler.addLink(0, name("dir"), 13, true);
        assembler.addLink(dir, name("b"), 14, false);
        assembler.addLink(dir, name("c"), 12, false);
        assembler.addFile(14, 7);
        assembler.addFile(12, 5);
        assembler.addFile(13, 6);
        assembler.addExtent(12, 0, 40960, 4096, 0);
        assembler.addExtent(12, 4096, 8192, 8192, ExtentFlags.UNWRITTEN);
        assembler.addExtent(14, 0, 20480, 4096, 0);
        assembler.addExtent(13, 0, 1_000_000, 4096, 0);
        return assembler.finish(ROOT, 1);
    }

    @Test
    void proposesTheExtentHoldingAByte() {
        assertThat(sample().overlapping(20480, 20481))
                .containsExactly(new IndexedExtent(14, 7, 0, 20480, 4096, 0));
    }

    @Test
    void proposesEveryExtentOfARangeSpanningOwnersInPhysicalOrder() {
        assertThat(sample().overlapping(10000, 41000)).extracting(IndexedExtent::physical)
                .containsExactly(8192L, 20480L, 40960L);
    }

    @Test
    void findsALongExtentStartingWellBeforeTheRange() {
        assertThat(sample().overlapping(16000, 16384)).extracting(IndexedExtent::inode, IndexedExtent::logical)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(12L, 4096L));
    }

    @Test
    void proposesNothingForAGapBetweenExtents() {
        assertThat(sample().overlapping(16384, 20480)).isEmpty();
    }

    @Test
    void keepsTheFlagsOfAnExtent() {
        assertThat(sample().overlapping(8192, 8193).get(0).flags()).isEqualTo(ExtentFlags.UNWRITTEN);
    }

    @Test
    void givesEveryHardLinkOfAnInode() {
        assertThat(sample().pathsOf(12)).containsExactlyInAnyOrder(ROOT.join(LinuxPath.ofText("a")),
                ROOT.join(LinuxPath.ofText("dir/c")));
    }

    @Test
    void givesThePathOfAFileInASubdirectory() {
        assertThat(sample().pathsOf(14)).containsExactly(ROOT.join(LinuxPath.ofText("dir/b")));
    }

    @Test
    void givesTheRootForTheRootInode() {
        assertThat(sample().pathsOf(ROOT_INODE)).containsExactly(ROOT);
    }

    @Test
    void givesNoPathForAnUnknownInode() {
        assertThat(sample().pathsOf(99)).isEmpty();
    }

    @Test
    void remembersGenerations() {
        assertThat(sample().generationOf(13)).hasValue(6);
    }

    @Test
    void keepsPathsThroughADirectoryThatCouldNotBeMapped() {
        IndexAssembler assembler = new IndexAssembler(ROOT_INODE);
        int locked = assembler.addLink(0, name("locked"), 30, true);
        assembler.addLink(locked, name("f"), 31, false);
        assembler.addFile(31, 1);
        assertThat(assembler.finish(ROOT, 1).pathsOf(31)).containsExactly(ROOT.join(LinuxPath.ofText("locked/f")));
    }

    @Test
    void dropsExtentsOfFilesNeverRecorded() {
        IndexAssembler assembler = new IndexAssembler(ROOT_INODE);
        assembler.addExtent(77, 0, 0, 4096, 0);
        assertThat(assembler.finish(ROOT, 1).extentCount()).isZero();
    }

    @Test
    void keepsNamesThatAreNotAscii() {
        IndexAssembler assembler = new IndexAssembler(ROOT_INODE);
        assembler.addLink(0, name("données-é"), 40, false);
        assembler.addFile(40, 1);
        assertThat(assembler.finish(ROOT, 1).linkComponentsOf(40))
                .containsExactly(List.of(LinuxPath.ofText("données-é")));
    }

    @Test
    void keepsTheBytesOfANameThatIsNotUtf8() {
        IndexAssembler assembler = new IndexAssembler(ROOT_INODE);
        byte[] latin1 = {'c', 'a', 'f', (byte) 0xe9};
        assembler.addLink(0, latin1, 41, false);
        assembler.addFile(41, 1);

        assertThat(assembler.finish(ROOT, 1).pathsOf(41)).extracting(LinuxPath::bytes)
                .containsExactly("/mnt/data/caf\u00e9".getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void sortsManyExtentsByPhysicalStart() {
        IndexAssembler assembler = new IndexAssembler(ROOT_INODE);
        assembler.addFile(50, 1);
        for (int i = 0; i < 5000; i++) {
            assembler.addExtent(50, i * 4096L, ((i * 7919L) % 5000) * 4096, 4096, 0);
        }
        ExtentIndex index = assembler.finish(ROOT, 1);
        assertThat(index.overlapping(0, 5000L * 4096)).extracting(IndexedExtent::physical).isSorted().hasSize(5000);
    }

    @Test
    void findsALongExtentStartingMoreThanAStrideOfExtentsBeforeTheByte() {
        IndexAssembler assembler = new IndexAssembler(ROOT_INODE);
        assembler.addFile(60, 1);
        assembler.addFile(61, 1);
        assembler.addExtent(60, 0, 0, 100L << 20, 0);
        for (int i = 1; i <= 40; i++) {
            assembler.addExtent(61, i * 4096L, i * 4096L, 4096, ExtentFlags.SHARED);
        }
        ExtentIndex index = assembler.finish(ROOT, 1);
        long inTheLast = 40 * 4096L + 100;

        assertThat(index.overlapping(inTheLast, inTheLast + 1)).extracting(IndexedExtent::inode)
                .containsExactly(60L, 61L);
    }

    /** 100,000 one-extent files with random generations and 8-character names on an 8 GiB filesystem. */
    private static ExtentIndex hundredThousandFiles() {
        IndexAssembler assembler = new IndexAssembler(ROOT_INODE);
        java.util.Random random = new java.util.Random(7);
        int directory = assembler.addLink(0, name("d"), 11, true);
        assembler.addFile(11, 1);
        for (int i = 0; i < 100_000; i++) {
            long inode = 12 + i;
            assembler.addLink(directory, name(String.format("f%07d", i)), inode, false);
            assembler.addFile(inode, random.nextInt());
            assembler.addExtent(inode, 0, (long) random.nextInt(2 << 20) * 4096, 4096L * (1 + random.nextInt(16)), 0);
        }
        return assembler.finish(ROOT, 1);
    }

    @Test
    void takesAtMostFortyBytesPerExtentWithFilesAndNames() {
        ExtentIndex index = hundredThousandFiles();

        assertThat((double) index.memoryBytes() / index.extentCount()).isLessThanOrEqualTo(40);
    }

    @Test
    void keepsEveryValueWhilePacked() {
        ExtentIndex index = hundredThousandFiles();
        java.util.Random random = new java.util.Random(7);
        random.nextInt();
        long physical = (long) random.nextInt(2 << 20) * 4096;
        long length = 4096L * (1 + random.nextInt(16));

        assertThat(index.overlapping(physical, physical + 1)).extracting(IndexedExtent::inode).contains(12L);
        assertThat(index.overlapping(physical, physical + 1)).filteredOn(e -> e.inode() == 12)
                .extracting(IndexedExtent::length).containsExactly(length);
        assertThat(index.linkComponentsOf(100_011))
                .containsExactly(List.of(LinuxPath.ofText("d"), LinuxPath.ofText("f0099999")));
    }

    private static byte[] name(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
