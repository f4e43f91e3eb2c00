package io.daxguard.btrfs;

/** A chunk's redundancy profile, from its type bits ({@code BTRFS_BLOCK_GROUP_*} of {@code btrfs_tree.h}). */
enum Profile {
    SINGLE("single", 0),
    RAID0("raid0", 1L << 3),
    RAID1("raid1", 1L << 4),
    DUP("dup", 1L << 5),
    RAID10("raid10", 1L << 6),
    RAID5("raid5", 1L << 7),
    RAID6("raid6", 1L << 8),
    RAID1C3("raid1c3", 1L << 9),
    RAID1C4("raid1c4", 1L << 10);

    /** Every profile bit. */
    static final long MASK = 0x7f8L;

    private final String label;
    private final long bit;

    Profile(String label, long bit) {
        this.label = label;
        this.bit = bit;
    }

    static Profile of(long type) {
        long bits = type & MASK;
        for (Profile profile : values()) {
            if (profile.bit == bits) {
                return profile;
            }
        }
        throw new IllegalArgumentException("unknown btrfs chunk profile bits 0x" + Long.toHexString(bits));
    }

    /** As btrfs-progs names it. */
    String label() {
        return label;
    }

    long bit() {
        return bit;
    }

    boolean isParity() {
        return this == RAID5 || this == RAID6;
    }

    /** Whether consecutive stripe elements go to different devices (raid0, raid10). */
    boolean isStriped() {
        return this == RAID0 || this == RAID10;
    }

    /**
     * Copies of each byte in a chunk of this profile, counting for parity profiles the ways to read it (raid5: the
     * byte or its rebuild; raid6: two rebuilds).
     */
    int copiesIn(Chunk chunk) {
        return switch (this) {
            case SINGLE, RAID0 -> 1;
            case DUP, RAID1, RAID5 -> 2;
            case RAID10 -> chunk.subStripes() > 0 ? chunk.subStripes() : 2;
            case RAID1C3, RAID6 -> 3;
            case RAID1C4 -> 4;
        };
    }
}
