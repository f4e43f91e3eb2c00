package io.daxguard.agent.ranges;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RangeSetLengthTest {

    private static long lengthOf(long[]... ranges) {
        RangeSet set = new RangeSet();
        for (long[] range : ranges) {
            set.add(range[0], range[1]);
        }
        return set.totalLength();
    }

    @Test
    void overlappingRangesAreCountedOnce() {
        assertThat(lengthOf(new long[] {0, 4096}, new long[] {2048, 8192})).isEqualTo(8192);
    }

    @Test
    void aRangeInsideAnotherAddsNothing() {
        assertThat(lengthOf(new long[] {0, 8192}, new long[] {512, 1024})).isEqualTo(8192);
    }

    @Test
    void disjointRangesAddUp() {
        assertThat(lengthOf(new long[] {8192, 8704}, new long[] {0, 512})).isEqualTo(1024);
    }
}
