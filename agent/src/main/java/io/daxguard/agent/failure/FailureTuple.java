package io.daxguard.agent.failure;

import io.daxguard.spi.FailureFlag;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * A failure as a source saw it, before routing: bytes on a named block device.
 *
 * @param device     kernel name ({@code loop3}), device path or {@code major:minor}
 * @param offset     first failed byte on that device
 * @param length     failed bytes
 * @param errno      the error, for example 5 (EIO)
 * @param flags      kernel-style urgency flags
 * @param source     who reported it: {@code jmx}, {@code kmsg}, {@code badblocks}, {@code scrub}, {@code cli}
 * @param observedAt when the source saw it
 */
public record FailureTuple(String device, long offset, long length, int errno, Set<FailureFlag> flags, String source,
                           Instant observedAt) {
    public static final long SECTOR = io.daxguard.agent.ranges.ByteRange.SECTOR;

    public FailureTuple {
        Objects.requireNonNull(device, "device is null");
        Objects.requireNonNull(source, "source is null");
        Objects.requireNonNull(observedAt, "observedAt is null");
        flags = Set.copyOf(Objects.requireNonNull(flags, "flags is null"));
        if (offset < 0 || length <= 0 || offset + length < 0) {
            throw new IllegalArgumentException("bad failure range: offset " + offset + " length " + length);
        }
    }

    /** A tuple from sectors, as sysfs, kmsg and operators speak. */
    public static FailureTuple ofSectors(String device, long sector, long sectors, int errno, String source,
                                         Instant observedAt) {
        return new FailureTuple(device, sector * SECTOR, sectors * SECTOR, errno, Set.of(), source, observedAt);
    }
}
