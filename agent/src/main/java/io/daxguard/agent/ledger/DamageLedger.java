package io.daxguard.agent.ledger;

import io.daxguard.spi.DeviceNumber;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Where damage records live. The contract every implementation keeps: a record is as durable as the
 * implementation can make it before {@link #record} returns or {@link #recordAsync}'s future completes, because
 * callers announce a record (MBean, notification) only then. State changes and audit entries are durable when
 * their methods return.
 *
 * <p>Thread safety: implementations are safe for one recording thread (the router) and many readers and
 * recovery callers (JMX threads). Records handed out are immutable snapshots.
 */
public interface DamageLedger extends AutoCloseable {

    /** Stores a new damage record, open; returns once it is durable. */
    default DamageRecord record(Damage damage) {
        return recordAsync(damage).join();
    }

    /**
     * Accepts a new damage record: it is visible to {@link #findOpenCovering} and {@link #records} at once, and
     * the future completes once it is durable (a durable ledger commits a storm in batches).
     */
    CompletableFuture<DamageRecord> recordAsync(Damage damage);

    /** The open record that already covers this range of this device, if any. */
    Optional<DamageRecord> findOpenCovering(DeviceNumber device, long offset, long length);

    /** Notes that known damage was reported again. */
    DamageRecord seenAgain(long id, Instant at);

    /** Every record, oldest first. */
    List<DamageRecord> records();

    /**
     * The records that name the file {@code file} (its filesystem's UUID, inode and generation) among their owners,
     * in any state, oldest first: what a view of one file reads, so it costs that file's records, not a regroup of
     * the ledger. The default filters {@link #records()}; the ledgers keep an index by file.
     */
    default List<DamageRecord> recordsNaming(FileKey file) {
        return records().stream().filter(record -> record.owners().stream().anyMatch(owner -> owner.isFile(file)))
                .toList();
    }

    /**
     * The records with a byte in {@code [offset, offset + length)} of {@code device}, in any state, oldest first (the
     * other owners of a shared block). The default filters {@link #records()}; the ledgers keep an index by range.
     */
    default List<DamageRecord> recordsOverlapping(DeviceNumber device, long offset, long length) {
        return records().stream().filter(record -> record.device().equals(device) && record.offset() < offset + length
                && offset < record.end()).toList();
    }

    /** One record. */
    default Optional<DamageRecord> find(long id) {
        return records().stream().filter(record -> record.id() == id).findFirst();
    }

    /**
     * Applies every change and the audit entry in one transaction; returns the changed records.
     *
     * @throws IllegalArgumentException when a record or owner does not exist
     * @throws IllegalStateException    when the change could not be made durable (it is then not applied)
     */
    List<DamageRecord> change(List<StateChange> changes, AuditEntry audit);

    /**
     * {@link #change} without waiting: applied (and visible) at once, in the ledger's one writer order; the future
     * completes with the changed records once they are durable. For the router's thread, which must not wait for the
     * ledger's writer.
     *
     * @throws IllegalArgumentException when a record or owner does not exist (nothing is applied)
     */
    CompletableFuture<List<DamageRecord>> changeAsync(List<StateChange> changes, AuditEntry audit);

    /** Adds an audit entry for an action that changed no state (a refusal, a verify, a signal). */
    void audit(AuditEntry entry);

    /** The audit trail of one file, oldest first. */
    List<AuditEntry> history(FileKey file);

    /** Whether writes are durable now. */
    LedgerHealth health();

    /** Told on every change of {@link #health()}, on whichever thread noticed it. */
    default void onHealthChange(Consumer<LedgerHealth> listener) {
    }

    /**
     * Told of every {@link #change} and {@link #changeAsync} once it is as durable as the ledger makes it, before the
     * caller of {@link #change} returns: so a view (a DamagedFile MBean of damage now closed) follows the ledger
     * without polling it. Called on whichever thread completes the change (a durable ledger's writer thread); a
     * listener must not wait for the ledger's writer, and one that throws is logged, the others still told.
     */
    default void onChange(Consumer<LedgerChange> listener) {
    }

    /**
     * Told of every audit entry, of {@link #audit} and of {@link #change}/{@link #changeAsync} alike, once it is as
     * durable as the ledger makes it, before the caller's wait ends: every action on damage, whoever took it (an
     * operator, the agent, an automatic policy), as one stream (the Agent MBean's {@code io.daxguard.action.audited}).
     * Called on whichever thread completes the write (a durable ledger's writer thread); the same rules as
     * {@link #onChange}.
     */
    default void onAudit(Consumer<AuditEntry> listener) {
    }

    @Override
    void close();
}
