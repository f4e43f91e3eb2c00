package io.daxguard.xfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.Fork;
import io.daxguard.spi.LinuxPath;
import io.daxguard.spi.Mount;
import io.daxguard.spi.Owner;
import io.daxguard.support.linux.FsmapRecord;
import io.daxguard.xfs.XfsBulkstat.InodeStat;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The sharing split of {@link FsmapOwners} on synthetic GETFSMAP answers: many overlapping sharers give exactly the
 * owners the old quadratic split ({@link QuadraticFsmapOwners}) gave, and the split itself says what it should.
 */
class FsmapOwnersSharingTest {
    private static final int BLOCK = 4096;
    private static final Mount MOUNT = new Mount(1, DeviceNumber.parse("7:0"), "/", LinuxPath.of(Path.of("/srv")),
            "xfs", "/dev/loop0", "rw");

    @Test
    void cutsASharedRecordWhereAnotherSharerStartsAndEndsAndMarksOnlyTheCoveredPieceShared() {
        FsmapRecord whole = data(100, 0, 0, 4, true);
        FsmapRecord clone = data(101, 1, 0, 1, true);

        List<Owner> owners = new FsmapOwners(0, 4L * BLOCK, 1L << 30, MOUNT).owners(List.of(whole, clone),
                stats(100, 101));

        assertThat(owners).containsExactly(
                new FileOwner(100, 1100, Fork.DATA, 0, 0, BLOCK, false, false),
                new FileOwner(100, 1100, Fork.DATA, BLOCK, BLOCK, BLOCK, true, false),
                new FileOwner(101, 1101, Fork.DATA, 0, BLOCK, BLOCK, true, false),
                new FileOwner(100, 1100, Fork.DATA, 2L * BLOCK, 2L * BLOCK, 2L * BLOCK, false, false));
    }

    @Test
    void givesThousandsOfStaggeredOverlappingSharersTheOwnersTheQuadraticSplitGave() {
        for (long seed = 1; seed <= 3; seed++) {
            Random random = new Random(seed);
            List<FsmapRecord> records = new ArrayList<>();
            for (int i = 0; i < 3000; i++) {
                long start = random.nextInt(2048);
                long blocks = 1 + random.nextInt(random.nextBoolean() ? 8 : 600);
                records.add(data(1000 + random.nextInt(400), start, random.nextInt(10_000), blocks,
                        random.nextInt(10) > 0));
            }
            records.add(new FsmapRecord(0, FsmapRecord.FMR_OF_SPECIAL_OWNER, 2500L * BLOCK, FsmapRecord.OWN_FREE, 0,
                    100L * BLOCK));
            records.sort((a, b) -> Long.compare(a.physical(), b.physical()));
            Map<Long, Optional<InodeStat>> inodes = new HashMap<>();
            for (FsmapRecord record : records) {
                // Every 50th inode was freed before BULKSTAT: it must stay out of the split in both.
                inodes.put(record.owner(), record.owner() % 50 == 0 ? Optional.empty() : Optional.of(stat(record.owner())));
            }
            long from = 7L * BLOCK + 512;
            long to = 2400L * BLOCK;

            List<Owner> linear = new FsmapOwners(from, to, 2560L * BLOCK, MOUNT).owners(records, inodes);
            List<Owner> quadratic = new QuadraticFsmapOwners(from, to, 2560L * BLOCK, MOUNT).owners(records, inodes);

            assertThat(linear).as("seed %d", seed).hasSizeGreaterThan(records.size()).isEqualTo(quadratic);
        }
    }

    @Test
    void reportsEachOfManyIdenticalSharersOnceAndShared() {
        List<FsmapRecord> records = new ArrayList<>();
        Map<Long, Optional<InodeStat>> inodes = new HashMap<>();
        for (long inode = 200; inode < 5200; inode++) {
            records.add(data(inode, 10, 0, 16, true));
            inodes.put(inode, Optional.of(stat(inode)));
        }

        List<Owner> owners = new FsmapOwners(10L * BLOCK, 26L * BLOCK, 1L << 30, MOUNT).owners(records, inodes);

        assertThat(owners).hasSize(5000)
                .allMatch(owner -> owner instanceof FileOwner file && file.shared() && file.length() == 16L * BLOCK);
    }

    @Test
    void countsHowManyRangesCoverEachStretchBetweenBoundaries() {
        SharingCoverage coverage = SharingCoverage.of(new long[] {0, 10, 10, 30}, new long[] {40, 20, 30, 40});
        List<String> stretches = new ArrayList<>();

        coverage.forEachStretch(0, 40, (start, end, covering) -> stretches.add(start + "-" + end + ":" + covering));

        assertThat(stretches).containsExactly("0-10:1", "10-20:3", "20-30:2", "30-40:2");
    }

    @Test
    void refusesAStretchQuestionThatDoesNotStartAtABoundary() {
        SharingCoverage coverage = SharingCoverage.of(new long[] {0}, new long[] {40});

        assertThatThrownBy(() -> coverage.forEachStretch(5, 40, (start, end, covering) -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[5, 40)");
    }

    private static FsmapRecord data(long inode, long startBlock, long fileBlock, long blocks, boolean shared) {
        return new FsmapRecord(0, shared ? FsmapRecord.FMR_OF_SHARED : 0, startBlock * BLOCK, inode,
                fileBlock * BLOCK, blocks * BLOCK);
    }

    private static InodeStat stat(long inode) {
        return new InodeStat(inode, inode + 1000, 0100644, 1, 1L << 20);
    }

    private static Map<Long, Optional<InodeStat>> stats(long... inodes) {
        Map<Long, Optional<InodeStat>> stats = new HashMap<>();
        for (long inode : inodes) {
            stats.put(inode, Optional.of(stat(inode)));
        }
        return stats;
    }
}
