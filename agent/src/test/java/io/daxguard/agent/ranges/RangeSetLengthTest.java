package io.daxguard.agent.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ByteRangesTest {

    @Test
    void overlappingRangesAreCountedOnce() {
        assertThat(ByteRanges.unionLength(new long[][] {{0, 4096}, {2048, 8192}})).isEqualTo(8192);
    }

    @Test
    void aRangeInsideAnotherAddsNothing() {
        assertThat(ByteRanges.unionLength(new long[][] {{0, 8192}, {512, 1024}})).isEqualTo(8192);
    }

    @Test
    void disjointRangesAddUp() {
        assertThat(ByteRanges.unionLength(new long[][] {{8192, 8704}, {0, 512}})).isEqualTo(1024);
    }
}
