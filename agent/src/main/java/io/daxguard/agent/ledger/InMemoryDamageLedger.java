package io.daxguard.agent.ledger;

import io.daxguard.spi.DeviceNumber;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Keeps damage records in memory only: they are gone when the agent stops. Stands until the durable ledger
 * replaces it; nothing outside this package knows which one it talks to.
 */
public final class InMemoryDamageLedger implements DamageLedger {
    private final Map<Long, DamageRecord> records = new LinkedHashMap<>();
    private long nextId = 1;

    @Override
    public synchronized DamageRecord record(Damage damage) {
        DamageRecord record = new DamageRecord(nextId++, damage.device(), damage.deviceName(), damage.offset(),
                damage.length(), damage.errno(), damage.source(), damage.observedAt(), damage.observedAt(), 1,
                damage.owners(), DamageState.OPEN);
        records.put(record.id(), record);
        return record;
    }

    @Override
    public synchronized Optional<DamageRecord> findOpenCovering(DeviceNumber device, long offset, long length) {
        return records.values().stream()
                .filter(record -> record.state() == DamageState.OPEN && record.covers(device, offset, length))
                .findFirst();
    }

    @Override
    public synchronized DamageRecord seenAgain(long id, Instant at) {
        DamageRecord record = records.get(id);
        if (record == null) {
            throw new IllegalArgumentException("no damage record " + id);
        }
        DamageRecord updated = record.seenAgain(at);
        records.put(id, updated);
        return updated;
    }

    @Override
    public synchronized List<DamageRecord> records() {
        return new ArrayList<>(records.values());
    }

    @Override
    public void close() {
        // Nothing to flush.
    }
}
