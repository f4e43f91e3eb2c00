package io.daxguard.support.index;

/** Stable ordering of parallel primitive columns by a long key, without boxing. */
final class PrimitiveSort {
    private PrimitiveSort() {
    }

    /**
     * The permutation that sorts {@code keys[0..count)} ascending; equal keys keep their order.
     *
     * <p>Two shortcuts before the merge sort, since an index build sorts 200,000-entry columns several times:
     * keys already in order (an inode scan reports files by inode) give the identity at once, and when a key
     * (without its common trailing zero bits) and its position fit together in 63 bits, both are packed into one
     * long and sorted with {@link java.util.Arrays#sort(long[])}, about five times faster than merging index
     * arrays (the position in the low bits keeps equal keys in order).
     */
    static int[] order(long[] keys, int count) {
        int[] order = new int[count];
        for (int i = 0; i < count; i++) {
            order[i] = i;
        }
        boolean sorted = true;
        boolean negative = false;
        for (int i = 0; i < count; i++) {
            sorted &= i == 0 || keys[i - 1] <= keys[i];
            negative |= keys[i] < 0;
        }
        if (sorted) {
            return order;
        }
        int positionBits = 32 - Integer.numberOfLeadingZeros(count - 1);
        PackedColumn.Width width = negative ? null : PackedColumn.Width.of(keys, count);
        if (width != null && width.bits() + positionBits <= 63) {
            long[] packed = new long[count];
            for (int i = 0; i < count; i++) {
                packed[i] = (keys[i] >>> width.shift()) << positionBits | i;
            }
            java.util.Arrays.sort(packed);
            long mask = (1L << positionBits) - 1;
            for (int i = 0; i < count; i++) {
                order[i] = (int) (packed[i] & mask);
            }
            return order;
        }
        return mergeOrder(keys, count, order);
    }

    private static int[] mergeOrder(long[] keys, int count, int[] identity) {
        int[] order = identity;
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
