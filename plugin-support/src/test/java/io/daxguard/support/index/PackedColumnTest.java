package io.daxguard.support.index;

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

    /** A column of random values of exactly {@code bits} bits at most, each shifted left by {@code zeros}. */
    private static long[] randomColumn(int bits, int zeros, long seed) {
        Random random = new Random(seed);
        long[] values = new long[131];
        for (int i = 0; i < values.length; i++) {
            values[i] = (random.nextLong() >>> (64 - bits)) << zeros;
        }
        values[0] = ((1L << (bits - 1)) | 1) << zeros; // the widest value, so the column is this wide
        return values;
    }

    @Test
    void givesBackColumnsOfEveryWidth() {
        for (int bits = 1; bits <= 63; bits++) {
            long[] values = randomColumn(bits, 0, bits);

            assertThat(read(PackedColumn.of(values, values.length))).as("%d bits", bits).containsExactly(values);
        }
    }

    @Test
    void givesBackBlockAlignedColumnsOfEveryWidth() {
        for (int bits = 1; bits <= 51; bits++) {
            long[] values = randomColumn(bits, 12, bits);

            assertThat(read(PackedColumn.of(values, values.length))).as("%d bits", bits).containsExactly(values);
        }
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
