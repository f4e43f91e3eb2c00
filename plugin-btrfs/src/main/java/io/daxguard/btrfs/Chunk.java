package io.daxguard.btrfs;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A btrfs chunk (block group): {@code length} bytes of the logical address space from {@code logical}, laid out on
 * the devices of {@code stripes} as its profile says.
 *
 * <pre>
 * struct btrfs_chunk (48 bytes + stripes)   struct btrfs_stripe (32 bytes)
 *   __le64 length        0                    __le64 devid      0
 *   __le64 owner         8                    __le64 offset     8
 *   __le64 stripe_len   16                    __u8 dev_uuid[16] 16
 *   __le64 type         24
 *   __le32 io_align     32
 *   __le32 io_width     36
 *   __le32 sector_size  40
 *   __le16 num_stripes  44
 *   __le16 sub_stripes  46
 *   struct btrfs_stripe stripe[]  48
 * </pre>
 */
record Chunk(long logical, long length, long stripeLength, long type, int subStripes, List<Stripe> stripes) {
    static final int LENGTH = 0;
    static final int STRIPE_LEN = 16;
    static final int TYPE = 24;
    static final int NUM_STRIPES = 44;
    static final int SUB_STRIPES = 46;
    static final int STRIPES = 48;
    static final int STRIPE_SIZE = 32;
    static final int STRIPE_DEVID = 0;
    static final int STRIPE_OFFSET = 8;

    static final long BLOCK_GROUP_DATA = 1L;
    static final long BLOCK_GROUP_SYSTEM = 1L << 1;
    static final long BLOCK_GROUP_METADATA = 1L << 2;

    /** Where one copy (or the only one) of a chunk lies on a device. */
    record Stripe(long devid, long offset) {
    }

    /** Where a logical byte lies on a device, for one mirror. */
    record Placement(long devid, long physical) {
    }

    Chunk {
        Objects.requireNonNull(stripes, "stripes is null");
        stripes = List.copyOf(stripes);
        if (stripes.isEmpty()) {
            throw new IllegalArgumentException("a chunk has at least one stripe");
        }
    }

    /** Decodes a CHUNK_ITEM whose key offset is {@code logical}. */
    static Chunk decode(long logical, TreeSearch.Item item) {
        int count = item.u16(NUM_STRIPES);
        List<Stripe> stripes = new java.util.ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int at = STRIPES + i * STRIPE_SIZE;
            stripes.add(new Stripe(item.u64(at + STRIPE_DEVID), item.u64(at + STRIPE_OFFSET)));
        }
        return new Chunk(logical, item.u64(LENGTH), item.u64(STRIPE_LEN), item.u64(TYPE), item.u16(SUB_STRIPES),
                stripes);
    }

    Profile profile() {
        return Profile.of(type);
    }

    boolean isData() {
        return (type & BLOCK_GROUP_DATA) != 0;
    }

    boolean isSystem() {
        return (type & BLOCK_GROUP_SYSTEM) != 0;
    }

    /** What the chunk holds, as {@code btrfs filesystem df} names it. */
    String contents() {
        if (isData() && (type & BLOCK_GROUP_METADATA) != 0) {
            return "data+metadata";
        }
        return isData() ? "data" : isSystem() ? "system" : "metadata";
    }

    long end() {
        return logical + length;
    }

    /**
     * The logical address of {@code physical} on stripe {@code stripeIndex}, and how many bytes from there map
     * contiguously (to the end of the stripe element for striped profiles); empty for parity profiles, whose
     * rotating layout is not mapped here.
     *
     * @return {logical, contiguous bytes}
     */
    Optional<long[]> logicalOf(int stripeIndex, long physical) {
        long inStripe = physical - stripes.get(stripeIndex).offset();
        Profile profile = profile();
        if (profile.isParity()) {
            return Optional.empty();
        }
        if (!profile.isStriped()) {
            return Optional.of(new long[] {logical + inStripe, length - inStripe});
        }
        long row = inStripe / stripeLength;
        long within = inStripe % stripeLength;
        long columns = profile == Profile.RAID10 ? stripes.size() / subStripes : stripes.size();
        long column = profile == Profile.RAID10 ? stripeIndex / subStripes : stripeIndex;
        return Optional.of(new long[] {logical + (row * columns + column) * stripeLength + within,
                stripeLength - within});
    }

    /**
     * Where mirror {@code mirror} (1-based, as btrfs's messages count; 0 means the first) of logical byte
     * {@code address} lies; empty for parity profiles or a mirror the profile does not have.
     */
    Optional<Placement> placementOf(long address, int mirror) {
        Profile profile = profile();
        int copy = Math.max(mirror, 1) - 1;
        long inChunk = address - logical;
        if (profile.isParity() || copy >= profile.copiesIn(this) || inChunk < 0 || inChunk >= length) {
            return Optional.empty();
        }
        if (!profile.isStriped()) {
            Stripe stripe = stripes.get(copy);
            return Optional.of(new Placement(stripe.devid(), stripe.offset() + inChunk));
        }
        long element = inChunk / stripeLength;
        long within = inChunk % stripeLength;
        long columns = profile == Profile.RAID10 ? stripes.size() / subStripes : stripes.size();
        long row = element / columns;
        int column = (int) (element % columns);
        int index = profile == Profile.RAID10 ? column * subStripes + copy : column;
        Stripe stripe = stripes.get(index);
        return Optional.of(new Placement(stripe.devid(), stripe.offset() + row * stripeLength + within));
    }

    /** The index of the stripe on device {@code devid} at {@code offset}, -1 when none is. */
    int stripeIndex(long devid, long offset) {
        for (int i = 0; i < stripes.size(); i++) {
            if (stripes.get(i).devid() == devid && stripes.get(i).offset() == offset) {
                return i;
            }
        }
        return -1;
    }
}
