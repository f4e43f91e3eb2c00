package io.daxguard.agent.source.scrub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daxguard.agent.ranges.ByteRange;
import io.daxguard.agent.topology.DirectIoAlignment;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReadPlannerTest {
    private static final long KIB = 1024;
    private static final DirectIoAlignment FOUR_K = new DirectIoAlignment(4096, 512);
    private static final long DEVICE = 1L << 30;

    private final List<ScrubRead> reads = new ArrayList<>();

    private ReadPlanner planner(int maxRead, long maxGap) {
        return new ReadPlanner(FOUR_K, DEVICE, maxRead, maxGap, reads::add);
    }

    private static ByteRange kib(long offset, long length) {
        return new ByteRange(offset * KIB, length * KIB);
    }

    @Test
    void touchingExtentsBecomeOneReadWithOneWrittenPart() throws IOException {
        ReadPlanner planner = planner(1 << 20, 0);
        planner.extent(0, 8 * KIB);
        planner.extent(8 * KIB, 4 * KIB);
        planner.flush();

        assertThat(reads).containsExactly(new ScrubRead(0, (int) (12 * KIB), List.of(kib(0, 12))));
    }

    @Test
    void aSmallFreeGapIsReadThroughButIsNotAWrittenPart() throws IOException {
        ReadPlanner planner = planner(1 << 20, 64 * KIB);
        planner.extent(0, 8 * KIB);
        planner.extent(72 * KIB, 4 * KIB);
        planner.flush();

        assertThat(reads).containsExactly(new ScrubRead(0, (int) (76 * KIB), List.of(kib(0, 8), kib(72, 4))));
    }

    @Test
    void aGapWiderThanTheLimitSplitsTheReads() throws IOException {
        ReadPlanner planner = planner(1 << 20, 64 * KIB);
        planner.extent(0, 8 * KIB);
        planner.extent(76 * KIB, 4 * KIB);
        planner.flush();

        assertThat(reads).containsExactly(new ScrubRead(0, (int) (8 * KIB), List.of(kib(0, 8))),
                new ScrubRead(76 * KIB, (int) (4 * KIB), List.of(kib(76, 4))));
    }

    @Test
    void noReadIsLongerThanTheLargestRead() throws IOException {
        ReadPlanner planner = planner(64 * 1024, 16 * KIB);
        for (long offset = 0; offset < 1024 * KIB; offset += 12 * KIB) {
            planner.extent(offset, 4 * KIB);
        }
        planner.extent(2048 * KIB, 300 * KIB);
        planner.flush();

        assertThat(reads).allMatch(read -> read.length() <= 64 * 1024);
    }

    @Test
    void theWrittenPartsOfAllReadsAreExactlyTheExtentsInWholeLogicalBlocks() throws IOException {
        ReadPlanner planner = planner(64 * 1024, 16 * KIB);
        List<ByteRange> extents = new ArrayList<>();
        for (long kib = 0; kib < 1024; kib += 12) {
            extents.add(kib(kib, 4));
        }
        extents.add(kib(2048, 300));
        for (ByteRange extent : extents) {
            planner.extent(extent.offset(), extent.length());
        }
        planner.flush();

        assertThat(merged(reads.stream().flatMap(read -> read.written().stream()).toList()))
                .containsExactlyElementsOf(merged(extents));
    }

    @Test
    void sectorSizedExtentsAreWidenedToTheLogicalBlockAndJoinedWhenTheyShareOne() throws IOException {
        ReadPlanner planner = planner(1 << 20, 0);
        planner.extent(512, 512);
        planner.extent(3072, 1536);
        planner.flush();

        assertThat(reads).containsExactly(new ScrubRead(0, 8192, List.of(new ByteRange(0, 8192))));
    }

    @Test
    void theTailShorterThanALogicalBlockAtTheDeviceEndIsNotRead() throws IOException {
        ReadPlanner planner = new ReadPlanner(FOUR_K, 10_000, 1 << 20, 0, reads::add);
        planner.extent(4096, 5904);
        planner.flush();

        assertThat(reads).containsExactly(new ScrubRead(4096, 4096, List.of(new ByteRange(4096, 4096))));
    }

    @Test
    void extentsOutOfPhysicalOrderAreRefused() throws IOException {
        ReadPlanner planner = planner(1 << 20, 0);
        planner.extent(64 * KIB, 4 * KIB);

        assertThatThrownBy(() -> planner.extent(0, 4 * KIB)).isInstanceOf(IllegalArgumentException.class);
    }

    /** Joins touching ranges, so splitting at read boundaries does not count as a difference. */
    private static List<ByteRange> merged(List<ByteRange> ranges) {
        List<ByteRange> out = new ArrayList<>();
        for (ByteRange range : ranges) {
            ByteRange last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (last != null && last.end() == range.offset()) {
                out.set(out.size() - 1, new ByteRange(last.offset(), range.end() - last.offset()));
            } else {
                out.add(range);
            }
        }
        return out;
    }
}
