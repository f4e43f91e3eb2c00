package io.daxguard.agent.ranges;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RangeSetTest {

    @Test
    void overlappingAndTouchingRunsMergeIntoOne() {
        RangeSet set = new RangeSet();
        set.add(0, 512);
        set.add(1024, 2048);
        set.add(512, 1024);

        assertThat(set.ranges()).containsExactly(new ByteRange(0, 2048));
    }

    @Test
    void separateRunsStaySeparate() {
        RangeSet set = new RangeSet();
        set.add(4096, 4608);
        set.add(0, 512);

        assertThat(set.ranges()).containsExactly(new ByteRange(0, 512), new ByteRange(4096, 512));
    }

    @Test
    void removeCutsARunInTwo() {
        RangeSet set = new RangeSet();
        set.add(0, 4096);
        set.remove(1024, 2048);

        assertThat(set.ranges()).containsExactly(new ByteRange(0, 1024), new ByteRange(2048, 2048));
    }

    @Test
    void minusGivesWhatTheOtherSetLacks() {
        RangeSet now = new RangeSet();
        now.add(0, 4096);
        now.add(8192, 8704);
        RangeSet before = new RangeSet();
        before.add(1024, 2048);
        before.add(8192, 8704);

        assertThat(now.minus(before)).containsExactly(new ByteRange(0, 1024), new ByteRange(2048, 2048));
    }

    @Test
    void coversOnlyWhenEveryByteIsIn() {
        RangeSet set = new RangeSet();
        set.add(0, 1024);

        assertThat(set.covers(512, 1536)).isFalse();
    }
}
