package io.daxguard.agent.route;

import io.daxguard.agent.topology.BlockDevice;
import io.daxguard.spi.Mount;
import java.util.Objects;
import java.util.Optional;

/**
 * A piece of a failure after routing: bytes relative to {@code device}, and the filesystem mounted there.
 *
 * @param device the device the piece lies on (a partition when the failure was reported on its disk)
 * @param offset first byte relative to {@code device}
 * @param length bytes
 * @param mount  the filesystem holding the device, if any
 */
public record RoutedRange(BlockDevice device, long offset, long length, Optional<Mount> mount) {
    public RoutedRange {
        Objects.requireNonNull(device, "device is null");
        Objects.requireNonNull(mount, "mount is null");
        if (offset < 0 || length <= 0) {
            throw new IllegalArgumentException("bad routed range: offset " + offset + " length " + length);
        }
    }

    public long end() {
        return offset + length;
    }
}
