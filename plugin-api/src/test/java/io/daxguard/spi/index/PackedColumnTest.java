package io.daxguard.spi.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

class PackedColumnTest {
    private static long[] read(PackedColumn column) {
        long[] values = new long[column.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = column.get(i);
        }
        return values;
    }

    @Test
    void givesBackValuesOfEveryWidthUpToSixtyThreeBits() {
        Random random = new Random(1);
        long[] values = new long[1000];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextLong() >>> (1 + i % 63);
        }

        assertThat(read(PackedColumn.of(values, values.length))).containsExactly(values);
    }

    @Test
    void givesBackTheLargestLong() {
        long[] values = {Long.MAX_VALUE, 0, 1, Long.MAX_VALUE - 1};

        assertThat(read(PackedColumn.of(values, values.length))).containsExactly(values);
    }

    @Test
    void storesBlockAlignedValuesWithoutTheirZeroBits() {
        long[] values = {0, 4096, (8L << 30) - 4096}; // the last block of 8 GiB: 2^21 - 1 blocks

        assertThat(PackedColumn.of(values, values.length).bits()).isEqualTo(21);
    }

    @Test
    void storesAColumnOfZerosInNoBits() {
        PackedColumn zeros = PackedColumn.of(new long[5], 5);

        assertThat(read(zeros)).containsExactly(0, 0, 0, 0, 0);
    }

    @Test
    void keepsUnsignedGenerationsAboveTwoToTheThirtyOne() {
        int[] generations = {-1, Integer.MIN_VALUE, 7};

        assertThat(read(PackedColumn.ofUnsigned(generations, 3))).containsExactly(0xffff_ffffL, 0x8000_0000L, 7L);
    }

    @Test
    void findsAValueOrWhereItWouldGo() {
        PackedColumn sorted = PackedColumn.of(new long[] {10, 20, 20, 30}, 4);

        assertThat(sorted.binarySearch(30)).isEqualTo(3);
        assertThat(sorted.binarySearch(25)).isEqualTo(-4);
    }

    @Test
    void findsTheLastValueBelowABound() {
        PackedColumn sorted = PackedColumn.of(new long[] {10, 20, 20, 30}, 4);

        assertThat(sorted.lastBelow(20)).isZero();
        assertThat(sorted.lastBelow(10)).isEqualTo(-1);
        assertThat(sorted.lastBelow(31)).isEqualTo(3);
    }

    @Test
    void refusesANegativeValue() {
        assertThatThrownBy(() -> PackedColumn.of(new long[] {1, -2}, 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-2");
    }
}
