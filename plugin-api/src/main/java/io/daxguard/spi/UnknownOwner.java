package io.daxguard.spi;

import java.util.Objects;

/**
 * The filesystem could not say who owns the range; {@link #reason} says why (for example: beyond the end
 * of the filesystem, or the filesystem reports no owners for data).
 */
public record UnknownOwner(long physicalOffset, long length, String reason) implements Owner {
    public UnknownOwner {
        Objects.requireNonNull(reason, "reason is null");
        Owner.checkRange(physicalOffset, length);
    }
}
