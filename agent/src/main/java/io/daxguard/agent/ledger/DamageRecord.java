package io.daxguard.agent.ledger;

import io.daxguard.spi.DeviceNumber;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A recorded damage: the durable fact that a device range failed, who was hit, and where it stands.
 *
 * @param id        assigned by the ledger, never reused
 * @param firstSeen when it was first reported
 * @param lastSeen  when it was last reported
 * @param count     how many times it was reported
 */
public record DamageRecord(long id, DeviceNumber device, String deviceName, long offset, long length, int errno,
                           String source, Instant firstSeen, Instant lastSeen, long count,
                           List<AffectedOwner> owners, DamageState state) {
    public DamageRecord {
        Objects.requireNonNull(device, "device is null");
        Objects.requireNonNull(deviceName, "deviceName is null");
        Objects.requireNonNull(source, "source is null");
        Objects.requireNonNull(firstSeen, "firstSeen is null");
        Objects.requireNonNull(lastSeen, "lastSeen is null");
        Objects.requireNonNull(state, "state is null");
        owners = List.copyOf(Objects.requireNonNull(owners, "owners is null"));
    }

    public long end() {
        return offset + length;
    }

    /** Whether no filesystem held the range. */
    public boolean unowned() {
        return owners.isEmpty();
    }

    /** Whether this record covers {@code [from, from+bytes)} on {@code on}. */
    public boolean covers(DeviceNumber on, long from, long bytes) {
        return device.equals(on) && offset <= from && from + bytes <= end();
    }

    DamageRecord seenAgain(Instant at) {
        return new DamageRecord(id, device, deviceName, offset, length, errno, source, firstSeen,
                at.isAfter(lastSeen) ? at : lastSeen, count + 1, owners, state);
    }
}
