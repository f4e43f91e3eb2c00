package io.daxguard.agent.ledger;

import io.daxguard.spi.DeviceNumber;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Keeps damage records in memory only: they are gone when the agent stops. For tests and tools that need no
 * durability; {@link SqliteDamageLedger} is the agent's. Shares the bookkeeping of {@link LedgerMemory}.
 */
public final class InMemoryDamageLedger implements DamageLedger {
    private final LedgerMemory memory = new LedgerMemory(1);
    private final List<AuditEntry> audit = new ArrayList<>();
    private final Listeners<LedgerChange> listeners = Listeners.ofChanges();
    private final Listeners<AuditEntry> auditListeners = Listeners.ofAuditEntries();

    @Override
    public synchronized CompletableFuture<DamageRecord> recordAsync(Damage damage) {
        return CompletableFuture.completedFuture(memory.add(damage));
    }

    @Override
    public synchronized Optional<DamageRecord> findOpenCovering(DeviceNumber device, long offset, long length) {
        return memory.findOpenCovering(device, offset, length);
    }

    @Override
    public synchronized DamageRecord seenAgain(long id, Instant at) {
        return memory.seenAgain(id, at);
    }

    @Override
    public synchronized List<DamageRecord> records() {
        return memory.all();
    }

    @Override
    public synchronized List<DamageRecord> recordsNaming(FileKey file) {
        return memory.naming(file);
    }

    @Override
    public synchronized List<DamageRecord> recordsOverlapping(DeviceNumber device, long offset, long length) {
        return memory.overlapping(device, offset, length);
    }

    @Override
    public synchronized Optional<DamageRecord> find(long id) {
        return memory.find(id);
    }

    @Override
    public List<DamageRecord> change(List<StateChange> changes, AuditEntry entry) {
        List<DamageRecord> changed;
        synchronized (this) {
            changed = List.copyOf(memory.apply(changes));
            audit.add(entry);
        }
        listeners.tell(new LedgerChange(changed, entry)); // outside the lock: listeners read the ledger
        auditListeners.tell(entry);
        return changed;
    }

    @Override
    public CompletableFuture<List<DamageRecord>> changeAsync(List<StateChange> changes, AuditEntry entry) {
        return CompletableFuture.completedFuture(change(changes, entry));
    }

    @Override
    public void onChange(java.util.function.Consumer<LedgerChange> listener) {
        listeners.add(listener);
    }

    @Override
    public void audit(AuditEntry entry) {
        synchronized (this) {
            audit.add(entry);
        }
        auditListeners.tell(entry); // outside the lock, as change's listeners
    }

    @Override
    public void onAudit(java.util.function.Consumer<AuditEntry> listener) {
        auditListeners.add(listener);
    }

    @Override
    public synchronized List<AuditEntry> history(FileKey file) {
        return audit.stream().filter(entry -> entry.file().sameFile(file)).toList();
    }

    @Override
    public LedgerHealth health() {
        return LedgerHealth.MEMORY_ONLY;
    }

    @Override
    public void close() {
        // Nothing to flush.
    }
}
