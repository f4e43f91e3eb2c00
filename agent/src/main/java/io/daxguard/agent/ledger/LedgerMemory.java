package io.daxguard.agent.ledger;

import io.daxguard.spi.DeviceNumber;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The in-memory truth of a ledger: records by id; open records by device and offset for the covering-range lookup
 * every tuple makes; every record by device and offset and by the files it names, for views of one file. Not thread
 * safe: its owner synchronizes.
 */
final class LedgerMemory {
    private final Map<Long, DamageRecord> records = new LinkedHashMap<>();
    /** Open records per device, by offset: lookups stay O(log n) in a storm of 100,000 records. */
    private final RecordsByRange open = new RecordsByRange();
    /** Every record per device, by offset: the records a shared block's other owners are in. */
    private final RecordsByRange everyRecord = new RecordsByRange();
    /**
     * The ids of the records naming each file (equal keys: same UUID, inode and generation), so a view of one file
     * reads that file's records, not the whole ledger regrouped (a DamagedFile attribute read).
     */
    private final Map<FileKey, SortedSet<Long>> idsByFile = new HashMap<>();
    private long nextId;

    LedgerMemory(long firstId) {
        this.nextId = firstId;
    }

    /** A new open record; times are kept to the millisecond, as the database keeps them. */
    DamageRecord add(Damage damage) {
        Instant at = damage.observedAt().truncatedTo(ChronoUnit.MILLIS);
        // Damage whose every owner has another copy (the router marked them REDUNDANT) is no data loss.
        boolean redundant = !damage.owners().isEmpty() && damage.owners().stream()
                .allMatch(owner -> owner.state() == DamageState.REDUNDANT);
        DamageRecord record = new DamageRecord(nextId++, damage.device(), damage.deviceName(), damage.offset(),
                damage.length(), damage.errno(), damage.source(), at, at, 1, damage.owners(),
                redundant ? DamageState.REDUNDANT : DamageState.OPEN, damage.inheritedFrom(), damage.medium());
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
        return open.findCovering(device, offset, length);
    }

    /** The records naming {@code file} among their owners, any state, oldest first. */
    List<DamageRecord> naming(FileKey file) {
        SortedSet<Long> ids = idsByFile.get(file);
        if (ids == null) {
            return List.of();
        }
        List<DamageRecord> found = new ArrayList<>(ids.size());
        ids.forEach(id -> found.add(records.get(id)));
        return found;
    }

    /** The records with a byte in the range, any state, oldest first. */
    List<DamageRecord> overlapping(DeviceNumber device, long offset, long length) {
        return everyRecord.overlapping(device, offset, length);
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
        if (record.state().pending()) {
            open.add(record); // a REDUNDANT record too: reported again, it is seen again, not recorded twice
        }
        everyRecord.add(record);
        for (FileKey file : filesOf(record)) {
            idsByFile.computeIfAbsent(file, key -> new TreeSet<>()).add(record.id());
        }
    }

    private void unindex(DamageRecord record) {
        open.remove(record);
        everyRecord.remove(record);
        for (FileKey file : filesOf(record)) {
            SortedSet<Long> ids = idsByFile.get(file);
            if (ids != null && ids.remove(record.id()) && ids.isEmpty()) {
                idsByFile.remove(file);
            }
        }
    }

    private static List<FileKey> filesOf(DamageRecord record) {
        List<FileKey> files = new ArrayList<>(1);
        for (AffectedOwner owner : record.owners()) {
            owner.fileKey().ifPresent(files::add);
        }
        return files;
    }
}
