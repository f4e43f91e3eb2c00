package io.daxguard.agent.source;

import io.daxguard.spi.DeviceNumber;

import io.daxguard.agent.ranges.RangeSet;

import java.util.HashMap;
import java.util.Map;

/**
 * Runs the ingest queue handed on, per device, bounded: past the bound the lowest run of the device is
 * forgotten (a duplicate then reaches the ledger, which recognises it). Not thread safe: the queue locks.
 */
final class KnownDamage {
    private final int capacity;
    private final Map<DeviceNumber, RangeSet> byDevice = new HashMap<>();
    private int runs;

    KnownDamage(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("knownCapacity must not be negative, was " + capacity);
        }
        this.capacity = capacity;
    }

    boolean intersects(DeviceNumber device, long start, long end) {
        RangeSet set = byDevice.get(device);
        return set != null && set.intersects(start, end);
    }

    boolean covers(DeviceNumber device, long start, long end) {
        RangeSet set = byDevice.get(device);
        return set != null && set.covers(start, end);
    }

    void add(DeviceNumber device, long start, long end) {
        if (capacity == 0) {
            return;
        }
        RangeSet set = byDevice.computeIfAbsent(device, name -> new RangeSet());
        runs += set.add(start, end);
        while (runs > capacity && !set.isEmpty()) {
            set.pollFirst();
            runs--;
        }
    }

    void forget(DeviceNumber device, long start, long end) {
        RangeSet set = byDevice.get(device);
        if (set != null) {
            int before = set.size();
            set.remove(start, end);
            runs += set.size() - before;
        }
    }
}
