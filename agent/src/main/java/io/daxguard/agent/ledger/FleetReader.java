package io.daxguard.agent.ledger;

import java.sql.SQLException;
import java.util.List;
import java.util.Objects;

/**
 * Every host's damage in a shared ledger database, read without an agent ({@code daxguard fleet status}): a
 * read-only session, nothing migrated or written, one short read transaction per call.
 */
public final class FleetReader implements AutoCloseable {
    private final LedgerDatabase database;
    private final LedgerStore store;

    /** One record and the host whose row it is. */
    public record HostRecord(String machineId, String hostName, DamageRecord record) {
        public HostRecord {
            Objects.requireNonNull(machineId, "machineId is null");
            Objects.requireNonNull(hostName, "hostName is null");
            Objects.requireNonNull(record, "record is null");
        }
    }

    private FleetReader(LedgerDatabase database, LedgerStore store) {
        this.database = database;
        this.store = store;
    }

    /**
     * Connects to {@code database} to read it.
     *
     * @throws LedgerReader.UnreadableLedgerException when it cannot be reached, holds no daxguard ledger, or a newer
     *                                                daxguard wrote it
     */
    public static FleetReader open(LedgerDatabase database) throws LedgerReader.UnreadableLedgerException {
        try {
            return new FleetReader(database, LedgerStore.openEveryHost(database));
        } catch (SQLException | RuntimeException e) {
            throw unreadable(database, e);
        }
    }

    /** Every host's records, by host (machine id) then id. */
    public List<HostRecord> records() throws LedgerReader.UnreadableLedgerException {
        try {
            return store.loadEveryHost().stream()
                    .map(hosted -> new HostRecord(hosted.hostId(), hosted.hostName(), hosted.record())).toList();
        } catch (SQLException | RuntimeException e) {
            throw unreadable(database, e);
        }
    }

    /** Where, for messages (never the password). */
    public String describe() {
        return database.describe();
    }

    private static LedgerReader.UnreadableLedgerException unreadable(LedgerDatabase database, Exception e) {
        return new LedgerReader.UnreadableLedgerException("cannot read the ledger " + database.describe() + ": "
                + e.getMessage(), e);
    }

    @Override
    public void close() {
        store.close();
    }
}
