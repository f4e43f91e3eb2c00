package io.daxguard.spi;

import java.util.Objects;
import java.util.Set;

/**
 * A failed byte range relative to the start of the filesystem's device, with kernel-style flags.
 *
 * @param offset first failed byte
 * @param length number of failed bytes, at least one
 * @param errno  the error the device returned, for example 5 (EIO)
 * @param flags  how urgent the failure is
 */
public record FailureRange(long offset, long length, int errno, Set<FailureFlag> flags) {
    public FailureRange {
        if (offset < 0) {
            throw new IllegalArgumentException("offset must not be negative, was " + offset);
        }
        if (length <= 0) {
            throw new IllegalArgumentException("length must be positive, was " + length);
        }
        if (offset + length < 0) {
            throw new IllegalArgumentException("range overflows: offset " + offset + " length " + length);
        }
        flags = Set.copyOf(Objects.requireNonNull(flags, "flags is null"));
    }

    /** An EIO over {@code [offset, offset+length)} with no flags. */
    public static FailureRange of(long offset, long length) {
        return new FailureRange(offset, length, 5, Set.of());
    }

    /** One past the last failed byte. */
    public long end() {
        return offset + length;
    }
}
