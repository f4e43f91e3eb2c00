package io.daxguard.spi;

import java.util.Objects;

/**
 * A failure the filesystem itself reported in the kernel log, placed on one of its member devices by the holder
 * ({@link Holder#failuresIn(String)}).
 *
 * @param member the member device the bad bytes are on
 * @param range  the bytes, relative to the start of {@code member}
 * @param detail the filesystem's own words (for example {@code "csum failed root 5 ino 257 off 0 mirror 1"})
 * @param foundByScrub whether the filesystem found it checking its copies (a scrub), not by a read that failed: the
 *               agent's own {@link Holder#repairFromCopies} is such a scrub, and what the filesystem reports during it
 *               is what the repair fixed, not new damage
 */
public record MemberFailure(DeviceNumber member, FailureRange range, String detail, boolean foundByScrub) {
    /** A failure found by a read (not by a scrub). */
    public MemberFailure(DeviceNumber member, FailureRange range, String detail) {
        this(member, range, detail, false);
    }

    public MemberFailure {
        Objects.requireNonNull(member, "member is null");
        Objects.requireNonNull(range, "range is null");
        Objects.requireNonNull(detail, "detail is null");
    }
}
