package io.daxguard.support.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PrimitiveSortTest {
    /** The stable order a boxed sort gives: the reference. */
    private static int[] reference(long[] keys) {
        return IntStream.range(0, keys.length).boxed().sorted(Comparator.comparingLong(i -> keys[i]))
                .mapToInt(Integer::intValue).toArray();
    }

    private static long[] random(int count, long bound, long seed) {
        Random random = new Random(seed);
        long[] keys = new long[count];
        for (int i = 0; i < count; i++) {
            keys[i] = (random.nextLong() >>> 1) % bound;
        }
        return keys;
    }

    @Test
    void ordersBlockAlignedOffsetsWithTiesInTheirOrder() {
        long[] keys = random(50_000, 1 << 21, 1);
        for (int i = 0; i < keys.length; i++) {
            keys[i] *= 4096;
        }

        assertThat(PrimitiveSort.order(keys, keys.length)).containsExactly(reference(keys));
    }

    @Test
    void ordersKeysTooWideToPackWithTheirPosition() {
        long[] keys = random(50_000, Long.MAX_VALUE, 2);

        assertThat(PrimitiveSort.order(keys, keys.length)).containsExactly(reference(keys));
    }

    @Test
    void ordersNegativeKeys() {
        long[] keys = {5, -3, 0, -3, Long.MIN_VALUE, 7};

        assertThat(PrimitiveSort.order(keys, keys.length)).containsExactly(reference(keys));
    }

    @Test
    void givesTheIdentityForKeysAlreadyInOrder() {
        long[] keys = {1, 1, 2, 9, 40};

        assertThat(PrimitiveSort.order(keys, keys.length)).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void ordersOnlyTheCountedPrefix() {
        long[] keys = {3, 1, 2, -100, -200};

        assertThat(PrimitiveSort.order(keys, 3)).containsExactly(1, 2, 0);
    }
}
