package io.daxguard.agent.ranges;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A set of bytes as disjoint, non-adjacent runs: adding a run merges it with every run it overlaps or
 * touches. Not thread safe; its owners lock.
 */
public final class RangeSet {
    /** start -> end (exclusive). */
    private final TreeMap<Long, Long> runs = new TreeMap<>();

    /** Adds {@code [offset, end)}; returns how the number of runs changed (+1, 0 or negative when runs merged). */
    public int add(long offset, long end) {
        checkRange(offset, end);
        int before = runs.size();
        long start = offset;
        long stop = end;
        Map.Entry<Long, Long> floor = runs.floorEntry(start);
        if (floor != null && floor.getValue() >= start) {
            start = floor.getKey();
            stop = Math.max(stop, floor.getValue());
            runs.remove(floor.getKey());
        }
        for (Map.Entry<Long, Long> next = runs.ceilingEntry(start); next != null && next.getKey() <= stop;
             next = runs.ceilingEntry(start)) {
            stop = Math.max(stop, next.getValue());
            runs.remove(next.getKey());
        }
        runs.put(start, stop);
        return runs.size() - before;
    }

    /** Whether every byte of {@code [offset, end)} is in the set. */
    public boolean covers(long offset, long end) {
        checkRange(offset, end);
        Map.Entry<Long, Long> floor = runs.floorEntry(offset);
        return floor != null && floor.getValue() >= end;
    }

    /** Whether any byte of {@code [offset, end)} is in the set. */
    public boolean intersects(long offset, long end) {
        checkRange(offset, end);
        Map.Entry<Long, Long> floor = runs.floorEntry(offset);
        if (floor != null && floor.getValue() > offset) {
            return true;
        }
        Long next = runs.higherKey(offset);
        return next != null && next < end;
    }

    /** Removes {@code [offset, end)}, cutting runs that stick out. */
    public void remove(long offset, long end) {
        checkRange(offset, end);
        Map.Entry<Long, Long> floor = runs.floorEntry(offset);
        if (floor != null && floor.getValue() > offset) {
            runs.put(floor.getKey(), offset);
            if (floor.getValue() > end) {
                runs.put(end, floor.getValue());
            }
            if (floor.getKey() == offset) {
                runs.remove(offset);
            }
        }
        for (Map.Entry<Long, Long> next = runs.ceilingEntry(offset); next != null && next.getKey() < end;
             next = runs.ceilingEntry(offset)) {
            runs.remove(next.getKey());
            if (next.getValue() > end) {
                runs.put(end, next.getValue());
                break;
            }
        }
    }

    /** Takes the lowest run out of the set, or null when empty. */
    public ByteRange pollFirst() {
        Map.Entry<Long, Long> first = runs.pollFirstEntry();
        return first == null ? null : new ByteRange(first.getKey(), first.getValue() - first.getKey());
    }

    /** The runs of this set that are not in {@code other}, in order. */
    public List<ByteRange> minus(RangeSet other) {
        List<ByteRange> result = new ArrayList<>();
        for (Map.Entry<Long, Long> run : runs.entrySet()) {
            long cursor = run.getKey();
            long end = run.getValue();
            Map.Entry<Long, Long> floor = other.runs.floorEntry(cursor);
            if (floor != null && floor.getValue() > cursor) {
                cursor = Math.min(end, floor.getValue());
            }
            for (Map.Entry<Long, Long> cut : other.runs.subMap(cursor, true, end, false).entrySet()) {
                if (cut.getKey() > cursor) {
                    result.add(new ByteRange(cursor, cut.getKey() - cursor));
                }
                cursor = Math.min(end, Math.max(cursor, cut.getValue()));
            }
            if (cursor < end) {
                result.add(new ByteRange(cursor, end - cursor));
            }
        }
        return result;
    }

    public List<ByteRange> ranges() {
        List<ByteRange> result = new ArrayList<>(runs.size());
        runs.forEach((start, end) -> result.add(new ByteRange(start, end - start)));
        return result;
    }

    /** The bytes in the set: overlapping runs added count once. */
    public long totalLength() {
        long total = 0;
        for (Map.Entry<Long, Long> run : runs.entrySet()) {
            total += run.getValue() - run.getKey();
        }
        return total;
    }

    public int size() {
        return runs.size();
    }

    public boolean isEmpty() {
        return runs.isEmpty();
    }

    private static void checkRange(long offset, long end) {
        if (offset < 0 || end <= offset) {
            throw new IllegalArgumentException("bad range [" + offset + ", " + end + ")");
        }
    }
}
