package io.daxguard.agent.ledger;

import io.daxguard.spi.DeviceNumber;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where damage records live. The contract every implementation keeps: {@link #record} returns only once
 * the record is as durable as the implementation can make it, because callers announce a record (MBean,
 * notification) only after it returns.
 *
 * <p>Thread safety: implementations are safe for one writer (the router thread) and many readers (JMX).
 */
public interface DamageLedger extends AutoCloseable {

    /** Stores a new damage record, open. */
    DamageRecord record(Damage damage);

    /** The open record that already covers this range of this device, if any. */
    Optional<DamageRecord> findOpenCovering(DeviceNumber device, long offset, long length);

    /** Notes that known damage was reported again. */
    DamageRecord seenAgain(long id, Instant at);

    /** Every record, oldest first. */
    List<DamageRecord> records();

    @Override
    void close();
}
