package io.daxguard.agent.ledger;

import java.util.Arrays;
import java.util.Comparator;

/** Byte counts of ranges that may overlap: reports of overlapping failures must not count bytes twice. */
public final class ByteRanges {
    private ByteRanges() {
    }

    /** The bytes covered by the union of {@code [start, end)} pairs. */
    public static long unionLength(long[][] ranges) {
        long[][] sorted = ranges.clone();
        Arrays.sort(sorted, Comparator.comparingLong(range -> range[0]));
        long total = 0;
        long coveredTo = Long.MIN_VALUE;
        for (long[] range : sorted) {
            long from = Math.max(range[0], coveredTo);
            if (range[1] > from) {
                total += range[1] - from;
            }
            coveredTo = Math.max(coveredTo, range[1]);
        }
        return total;
    }
}
