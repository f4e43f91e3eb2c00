package io.daxguard.xfs;

import java.util.Arrays;

/**
 * How many of a set of byte ranges cover each stretch between their boundaries: the sharers of one GETFSMAP
 * answer, so that {@link FsmapOwners} can cut each shared record where another sharer starts or ends and tell
 * which cut pieces another record also covers. Built by one sweep over the sorted starts and ends
 * (O(n log n)); a question about one range is a binary search plus the stretches inside it.
 *
 * <p>Immutable once built.
 */
final class SharingCoverage {
    /** Every distinct start and end, ascending. */
    private final long[] boundaries;
    /** {@code covering[i]}: how many ranges cover {@code [boundaries[i], boundaries[i + 1])}. */
    private final int[] covering;

    private SharingCoverage(long[] boundaries, int[] covering) {
        this.boundaries = boundaries;
        this.covering = covering;
    }

    /** A stretch between two neighbouring boundaries: no range starts or ends inside it. */
    interface Stretch {
        void accept(long start, long end, int covering);
    }

    /**
     * @param starts first byte of each range
     * @param ends   one past the last byte of each range, at the same index as its start; each after its start
     */
    static SharingCoverage of(long[] starts, long[] ends) {
        if (starts.length != ends.length) {
            throw new IllegalArgumentException(starts.length + " starts but " + ends.length + " ends");
        }
        for (int i = 0; i < starts.length; i++) {
            if (ends[i] <= starts[i]) {
                throw new IllegalArgumentException("range " + i + " is empty: [" + starts[i] + ", " + ends[i] + ")");
            }
        }
        long[] sortedStarts = starts.clone();
        long[] sortedEnds = ends.clone();
        Arrays.sort(sortedStarts);
        Arrays.sort(sortedEnds);
        int n = starts.length;
        long[] boundaries = new long[2 * n];
        int[] covering = new int[2 * n];
        int distinct = 0;
        int count = 0;
        int nextStart = 0;
        int nextEnd = 0;
        while (nextEnd < n) {
            // Every range ends after it starts, so the ends run out last.
            long at = nextStart < n ? Math.min(sortedStarts[nextStart], sortedEnds[nextEnd]) : sortedEnds[nextEnd];
            while (nextStart < n && sortedStarts[nextStart] == at) {
                count++;
                nextStart++;
            }
            while (nextEnd < n && sortedEnds[nextEnd] == at) {
                count--;
                nextEnd++;
            }
            boundaries[distinct] = at;
            covering[distinct] = count;
            distinct++;
        }
        return new SharingCoverage(Arrays.copyOf(boundaries, distinct), Arrays.copyOf(covering, distinct));
    }

    /**
     * Visits, in order, the stretches of {@code [from, to)}: it is cut at every boundary inside it.
     *
     * @param from a boundary (the start or end of one of the ranges)
     * @param to   a later boundary
     */
    void forEachStretch(long from, long to, Stretch visitor) {
        int at = Arrays.binarySearch(boundaries, from);
        if (at < 0 || Arrays.binarySearch(boundaries, to) < 0 || to <= from) {
            throw new IllegalArgumentException("[" + from + ", " + to + ") does not start and end at boundaries");
        }
        for (; boundaries[at] < to; at++) {
            visitor.accept(boundaries[at], boundaries[at + 1], covering[at]);
        }
    }
}
