package io.daxguard.agent.ledger;

import io.daxguard.spi.DeviceNumber;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The in-memory truth of a ledger: records by id, and open records by device and offset for the
 * covering-range lookup every tuple makes. Not thread safe: its owner synchronizes.
 */
final class LedgerMemory {
    private final Map<Long, DamageRecord> records = new LinkedHashMap<>();
    /** Open records per device, by offset: lookups stay O(log n) in a storm of 100,000 records. */
    private final Map<DeviceNumber, NavigableMap<Long, List<DamageRecord>>> openByDevice = new HashMap<>();
    private final Map<DeviceNumber, Long> longestOpen = new HashMap<>();
    private long nextId;

    LedgerMemory(long firstId) {
        this.nextId = firstId;
    }

    /** A new open record; times are kept to the millisecond, as the database keeps them. */
    DamageRecord add(Damage damage) {
        Instant at = damage.observedAt().truncatedTo(ChronoUnit.MILLIS);
        DamageRecord record = new DamageRecord(nextId++, damage.device(), damage.deviceName(), damage.offset(),
                damage.length(), damage.errno(), damage.source(), at, at, 1, damage.owners(), DamageState.OPEN,
                damage.inheritedFrom(), damage.medium());
        put(record);
        return record;
    }

    /** A record read back from storage. */
    void load(DamageRecord record) {
        put(record);
        nextId = Math.max(nextId, record.id() + 1);
    }

    /** Ids made from now on are above {@code floor} (records this memory cannot see may hold the ones below). */
    void startIdsAbove(long floor) {
        nextId = Math.max(nextId, floor + 1);
    }

    long nextId() {
        return nextId;
    }

    Optional<DamageRecord> find(long id) {
        return Optional.ofNullable(records.get(id));
    }

    DamageRecord require(long id) {
        DamageRecord record = records.get(id);
        if (record == null) {
            throw new IllegalArgumentException("no damage record " + id);
        }
        return record;
    }

    Optional<DamageRecord> findOpenCovering(DeviceNumber device, long offset, long length) {
        NavigableMap<Long, List<DamageRecord>> open = openByDevice.get(device);
        if (open == null) {
            return Optional.empty();
        }
        long longest = longestOpen.getOrDefault(device, 0L);
        for (Map.Entry<Long, List<DamageRecord>> entry : open.headMap(offset, true).descendingMap().entrySet()) {
            if (entry.getKey() + longest < offset + length) {
                break; // nothing starting this early is long enough to cover the range
            }
            for (DamageRecord record : entry.getValue()) {
                if (record.covers(device, offset, length)) {
                    return Optional.of(record);
                }
            }
        }
        return Optional.empty();
    }

    DamageRecord seenAgain(long id, Instant at) {
        DamageRecord updated = require(id).seenAgain(at.truncatedTo(ChronoUnit.MILLIS));
        put(updated);
        return updated;
    }

    /** Applies changes all or nothing; returns the changed records. */
    List<DamageRecord> apply(List<StateChange> changes) {
        Map<Long, DamageRecord> changed = new LinkedHashMap<>();
        for (StateChange change : changes) {
            DamageRecord current = changed.containsKey(change.recordId()) ? changed.get(change.recordId())
                    : require(change.recordId());
            changed.put(change.recordId(), change.ownerIndex() < 0 ? current.withState(change.state())
                    : current.withOwner(change.ownerIndex(), change.state(), change.paths()));
        }
        changed.values().forEach(this::put);
        return new ArrayList<>(changed.values());
    }

    /** Forgets records (compacted away). */
    void remove(List<Long> ids) {
        for (long id : ids) {
            DamageRecord gone = records.remove(id);
            if (gone != null) {
                unindex(gone);
            }
        }
    }

    List<DamageRecord> all() {
        return new ArrayList<>(records.values());
    }

    int size() {
        return records.size();
    }

    private void put(DamageRecord record) {
        DamageRecord previous = records.put(record.id(), record);
        if (previous != null) {
            unindex(previous);
        }
        if (record.state() == DamageState.OPEN) {
            openByDevice.computeIfAbsent(record.device(), device -> new TreeMap<>())
                    .computeIfAbsent(record.offset(), offset -> new ArrayList<>(1)).add(record);
            longestOpen.merge(record.device(), record.length(), Math::max);
        }
    }

    private void unindex(DamageRecord record) {
        NavigableMap<Long, List<DamageRecord>> open = openByDevice.get(record.device());
        if (open == null) {
            return;
        }
        List<DamageRecord> atOffset = open.get(record.offset());
        if (atOffset != null) {
            atOffset.removeIf(candidate -> candidate.id() == record.id());
            if (atOffset.isEmpty()) {
                open.remove(record.offset());
            }
        }
    }
}
