package io.daxguard.spi;

import java.util.Objects;

/**
 * How many copies of a range of a member device the filesystem keeps, as the holder knows from its layout
 * (btrfs raid1, raid10, DUP; not a read of the other copies). Damage to one copy of a range with other copies is
 * not data loss: the filesystem reads another copy, and {@link Holder#repairFromCopies} rewrites this one.
 *
 * @param profile the layout, as the filesystem names it ({@code "single"}, {@code "raid1"}, {@code "dup"}, ...)
 * @param copies  copies of the range's data, this one included; 1 when it is the only one. For parity layouts,
 *                2 when the range can be rebuilt from the other devices
 */
public record Redundancy(String profile, int copies) {
    /** One copy: the default of a filesystem that keeps no other. */
    public static final Redundancy NONE = new Redundancy("single", 1);

    public Redundancy {
        Objects.requireNonNull(profile, "profile is null");
        if (copies < 1) {
            throw new IllegalArgumentException("copies must be at least 1, was " + copies);
        }
    }

    /** Whether the filesystem can still read the data from elsewhere. */
    public boolean hasOtherCopies() {
        return copies > 1;
    }
}
