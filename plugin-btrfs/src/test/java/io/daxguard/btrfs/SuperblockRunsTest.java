package io.daxguard.btrfs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A member's range is cut around the superblock copies at 64 KiB, 64 MiB and 256 GiB that the device holds. */
class SuperblockRunsTest {
    private static final long KIB = 1024;
    private static final long MIB = 1024 * KIB;
    private static final long GIB = 1024 * MIB;

    @Test
    void aRangeOverTheFirstTwoCopiesIsCutAroundThem() {
        assertThat(BtrfsHolder.aroundSuperblocks(0, 100 * MIB, 320 * MIB)).containsExactly(
                new long[] {0, 64 * KIB, -1},
                new long[] {64 * KIB, 68 * KIB, 64 * KIB},
                new long[] {68 * KIB, 64 * MIB, -1},
                new long[] {64 * MIB, 64 * MIB + 4 * KIB, 64 * MIB},
                new long[] {64 * MIB + 4 * KIB, 100 * MIB, -1});
    }

    @Test
    void aRangeInsideACopyIsThatCopyOnly() {
        assertThat(BtrfsHolder.aroundSuperblocks(64 * KIB + 512, 64 * KIB + 1024, 320 * MIB))
                .containsExactly(new long[] {64 * KIB + 512, 64 * KIB + 1024, 64 * KIB});
    }

    @Test
    void aCopyBeyondTheDeviceIsNotThere() {
        List<long[]> runs = BtrfsHolder.aroundSuperblocks(255 * GIB, 300 * GIB, 256 * GIB);
        assertThat(runs).containsExactly(new long[] {255 * GIB, 300 * GIB, -1});
        assertThat(BtrfsHolder.aroundSuperblocks(255 * GIB, 300 * GIB, 300 * GIB)).hasSize(3);
    }
}
