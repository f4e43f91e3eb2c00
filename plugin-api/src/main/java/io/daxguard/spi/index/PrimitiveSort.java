package io.daxguard.spi.index;

/** Stable ordering of parallel primitive columns by a long key, without boxing. */
final class PrimitiveSort {
    private PrimitiveSort() {
    }

    /** The permutation that sorts {@code keys[0..count)} ascending; equal keys keep their order. */
    static int[] order(long[] keys, int count) {
        int[] order = new int[count];
        for (int i = 0; i < count; i++) {
            order[i] = i;
        }
        int[] scratch = new int[count];
        for (int width = 1; width < count; width *= 2) {
            for (int low = 0; low < count; low += 2 * width) {
                int middle = Math.min(low + width, count);
                int high = Math.min(low + 2 * width, count);
                merge(keys, order, scratch, low, middle, high);
            }
            int[] swap = order;
            order = scratch;
            scratch = swap;
        }
        return order;
    }

    private static void merge(long[] keys, int[] from, int[] to, int low, int middle, int high) {
        int left = low;
        int right = middle;
        for (int out = low; out < high; out++) {
            if (left < middle && (right >= high || keys[from[left]] <= keys[from[right]])) {
                to[out] = from[left++];
            } else {
                to[out] = from[right++];
            }
        }
    }

    static long[] permute(long[] column, int[] order) {
        long[] sorted = new long[order.length];
        for (int i = 0; i < order.length; i++) {
            sorted[i] = column[order[i]];
        }
        return sorted;
    }

    static int[] permute(int[] column, int[] order) {
        int[] sorted = new int[order.length];
        for (int i = 0; i < order.length; i++) {
            sorted[i] = column[order[i]];
        }
        return sorted;
    }

    static byte[] permute(byte[] column, int[] order) {
        byte[] sorted = new byte[order.length];
        for (int i = 0; i < order.length; i++) {
            sorted[i] = column[order[i]];
        }
        return sorted;
    }
}
