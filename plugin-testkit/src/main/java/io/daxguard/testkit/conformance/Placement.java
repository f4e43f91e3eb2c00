package io.daxguard.testkit.conformance;

import io.daxguard.spi.DeviceNumber;
import java.util.Objects;

/**
 * Where a run of FIEMAP's physical addresses lives on a member device: on XFS and ext4 FIEMAP's physical address
 * is the offset on the filesystem's only device; on btrfs it is an address in the filesystem's own space, which
 * its chunk map places on one or more devices (one placement per copy: DUP, RAID1).
 *
 * @param device         the member device
 * @param fiemapPhysical the first FIEMAP physical address of the run
 * @param deviceOffset   where that address is on {@code device}
 * @param length         bytes of the run
 */
public record Placement(DeviceNumber device, long fiemapPhysical, long deviceOffset, long length) {
    public Placement {
        Objects.requireNonNull(device, "device is null");
        if (fiemapPhysical < 0 || deviceOffset < 0 || length <= 0) {
            throw new IllegalArgumentException("a placement needs non-negative addresses and a positive length, was "
                    + fiemapPhysical + " -> " + deviceOffset + " +" + length);
        }
    }
}
