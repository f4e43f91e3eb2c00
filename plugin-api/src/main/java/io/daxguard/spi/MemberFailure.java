package io.daxguard.spi;

import java.util.Objects;

/**
 * A failure the filesystem itself reported in the kernel log, placed on one of its member devices by the holder
 * ({@link Holder#failuresIn(String)}).
 *
 * @param member the member device the bad bytes are on
 * @param range  the bytes, relative to the start of {@code member}
 * @param detail the filesystem's own words (for example {@code "csum failed root 5 ino 257 off 0 mirror 1"})
 */
public record MemberFailure(DeviceNumber member, FailureRange range, String detail) {
    public MemberFailure {
        Objects.requireNonNull(member, "member is null");
        Objects.requireNonNull(range, "range is null");
        Objects.requireNonNull(detail, "detail is null");
    }
}
