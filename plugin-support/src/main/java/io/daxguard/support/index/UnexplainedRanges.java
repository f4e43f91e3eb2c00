package io.daxguard.support.index;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Allocated ranges a fresh index could not explain, remembered for that index only, so that asking about
 * them again does not rebuild the index each time. Thread-safe.
 */
final class UnexplainedRanges {
    private ExtentIndex index;
    private final TreeMap<Long, Long> ranges = new TreeMap<>();

    /** Whether every gap is a known-unexplained range of this very index (no gaps: true). */
    synchronized boolean coversAll(ExtentIndex forIndex, List<ByteSpan> gaps) {
        if (gaps.isEmpty()) {
            return true;
        }
        if (forIndex != index) {
            return false;
        }
        for (ByteSpan gap : gaps) {
            Map.Entry<Long, Long> known = ranges.floorEntry(gap.start());
            if (known == null || known.getValue() < gap.end()) {
                return false;
            }
        }
        return true;
    }

    synchronized void remember(ExtentIndex forIndex, List<ByteSpan> gaps) {
        if (forIndex != index) {
            index = forIndex;
            ranges.clear();
        }
        for (ByteSpan gap : gaps) {
            ranges.merge(gap.start(), gap.end(), Math::max);
        }
    }
}
