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
 * @param medium     the identity of the disk under the device (a loop device's backing file, a disk's WWID or
 *                   serial), so damage of a disk that was swapped is not taken for the new disk's; empty when unknown
 * @param inheritedFrom the record this damage was resolved again from (of an earlier filesystem on the same disk,
 *                   or of a file found gone); 0 for damage a source found
 */
public record Damage(DeviceNumber device, String deviceName, long offset, long length, int errno, String source,
                     Instant observedAt, List<AffectedOwner> owners, String medium, long inheritedFrom) {
    public Damage {
        Objects.requireNonNull(device, "device is null");
        Objects.requireNonNull(deviceName, "deviceName is null");
        Objects.requireNonNull(source, "source is null");
        Objects.requireNonNull(observedAt, "observedAt is null");
        Objects.requireNonNull(medium, "medium is null");
        owners = List.copyOf(Objects.requireNonNull(owners, "owners is null"));
    }

    /** Damage a source found on a disk of unknown identity (tests and tools). */
    public Damage(DeviceNumber device, String deviceName, long offset, long length, int errno, String source,
                  Instant observedAt, List<AffectedOwner> owners) {
        this(device, deviceName, offset, length, errno, source, observedAt, owners, "", 0);
    }
}
