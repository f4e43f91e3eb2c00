package io.daxguard.agent.failure;

import io.daxguard.agent.ranges.ByteRange;
import io.daxguard.spi.FailureFlag;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * A failure as a source saw it, before routing: bytes on a block device.
 *
 * @param device     the device, resolved at the edge ({@link DeviceResolver})
 * @param offset     first failed byte on that device
 * @param length     failed bytes
 * @param errno      the error, for example 5 (EIO)
 * @param flags      kernel-style urgency flags
 * @param source     who reported it: {@code jmx}, {@code kmsg}, {@code badblocks}, {@code scrub}, {@code cli}
 * @param observedAt when the source saw it
 */
public record FailureTuple(DeviceRef device, long offset, long length, int errno, Set<FailureFlag> flags, String source,
                           Instant observedAt) {
    public static final long SECTOR = ByteRange.SECTOR;
    /** The errno of a media error, what every automatic source reports. */
    public static final int EIO = io.daxguard.support.linux.NativeCallException.EIO;

    public FailureTuple {
        Objects.requireNonNull(device, "device is null");
        Objects.requireNonNull(source, "source is null");
        Objects.requireNonNull(observedAt, "observedAt is null");
        flags = Set.copyOf(Objects.requireNonNull(flags, "flags is null"));
        if (offset < 0 || length <= 0 || offset + length < 0) {
            throw new IllegalArgumentException("bad failure range: offset " + offset + " length " + length);
        }
    }

    /** A media error (EIO) on a byte range, as the automatic sources find them. */
    public static FailureTuple mediaError(DeviceRef device, ByteRange range, String source, Instant observedAt) {
        return new FailureTuple(device, range.offset(), range.length(), EIO, Set.of(), source, observedAt);
    }

    /** The same failure on other bytes of another device (a piece of it seen through a stacked device). */
    public FailureTuple on(DeviceRef other, long otherOffset, long otherLength) {
        return new FailureTuple(other, otherOffset, otherLength, errno, flags, source, observedAt);
    }

    public long end() {
        return offset + length;
    }
}
