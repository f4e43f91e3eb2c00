package io.daxguard.agent.ledger;

import io.daxguard.spi.DeviceNumber;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A recorded damage: the durable fact that a device range failed, who was hit, and where it stands.
 *
 * @param id        assigned by the ledger, never reused
 * @param firstSeen when it was first reported
 * @param lastSeen  when it was last reported
 * @param count     how many times it was reported
 * @param owners    every owner hit, each with its own state
 * @param state     {@link DamageState#OPEN} while any owner is open (or, with no owners, until closed);
 *                  otherwise the state the last open owner was closed with
 * @param inheritedFrom the record this one was resolved again from: of an earlier filesystem on the same disk (the
 *                  filesystem was re-made), or of a file found gone (deleted); the bad bytes stayed bad. 0 when found
 *                  by a source
 * @param medium    the identity of the disk under the device when the damage was found ({@link Damage#medium()}),
 *                  empty when unknown
 */
public record DamageRecord(long id, DeviceNumber device, String deviceName, long offset, long length, int errno,
                           String source, Instant firstSeen, Instant lastSeen, long count,
                           List<AffectedOwner> owners, DamageState state, long inheritedFrom, String medium) {
    public DamageRecord {
        Objects.requireNonNull(device, "device is null");
        Objects.requireNonNull(deviceName, "deviceName is null");
        Objects.requireNonNull(source, "source is null");
        Objects.requireNonNull(firstSeen, "firstSeen is null");
        Objects.requireNonNull(lastSeen, "lastSeen is null");
        Objects.requireNonNull(state, "state is null");
        Objects.requireNonNull(medium, "medium is null");
        owners = List.copyOf(Objects.requireNonNull(owners, "owners is null"));
    }

    public long end() {
        return offset + length;
    }

    /** The filesystem the range was resolved in; empty when none held it. */
    public Optional<FilesystemRef> filesystem() {
        return owners.isEmpty() ? Optional.empty() : Optional.of(owners.get(0).filesystem());
    }

    /** Whether the record was resolved in the filesystem with this UUID. */
    public boolean ofFilesystem(String uuid) {
        return filesystem().map(fs -> fs.uuid().equals(uuid)).orElse(false);
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
                at.isAfter(lastSeen) ? at : lastSeen, count + 1, owners, state, inheritedFrom, medium);
    }

    /** This record with one owner's state (and optionally paths) changed; the record state follows. */
    DamageRecord withOwner(int index, DamageState newState, List<String> newPaths) {
        if (index < 0 || index >= owners.size()) {
            throw new IllegalArgumentException("damage record " + id + " has no owner " + index);
        }
        List<AffectedOwner> changed = new ArrayList<>(owners);
        changed.set(index, owners.get(index).with(newState, newPaths));
        boolean anyOpen = changed.stream().anyMatch(AffectedOwner::open);
        boolean anyRedundant = changed.stream().anyMatch(owner -> owner.state() == DamageState.REDUNDANT);
        return new DamageRecord(id, device, deviceName, offset, length, errno, source, firstSeen, lastSeen, count,
                changed, anyOpen ? DamageState.OPEN : anyRedundant ? DamageState.REDUNDANT : newState, inheritedFrom,
                medium);
    }

    /** This record (one with no owners) closed as {@code newState}. */
    DamageRecord withState(DamageState newState) {
        return new DamageRecord(id, device, deviceName, offset, length, errno, source, firstSeen, lastSeen, count,
                owners, newState, inheritedFrom, medium);
    }
}
