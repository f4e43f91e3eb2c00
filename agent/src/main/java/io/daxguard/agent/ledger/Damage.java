package io.daxguard.agent.ledger;

import io.daxguard.spi.DeviceNumber;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A newly found damage, ready to record: a routed range of one device and every owner hit.
 *
 * @param device     the device the range is relative to (a partition when one holds it)
 * @param deviceName its kernel name, kept for reports after the device is gone
 * @param offset     first failed byte on the device
 * @param length     failed bytes
 * @param errno      the error
 * @param source     who reported it
 * @param observedAt when
 * @param owners     everything occupying the range; empty when no filesystem holds it (unowned damage)
 */
public record Damage(DeviceNumber device, String deviceName, long offset, long length, int errno, String source,
                     Instant observedAt, List<AffectedOwner> owners) {
    public Damage {
        Objects.requireNonNull(device, "device is null");
        Objects.requireNonNull(deviceName, "deviceName is null");
        Objects.requireNonNull(source, "source is null");
        Objects.requireNonNull(observedAt, "observedAt is null");
        owners = List.copyOf(Objects.requireNonNull(owners, "owners is null"));
    }
}
