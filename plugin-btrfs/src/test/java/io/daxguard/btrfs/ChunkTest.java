package io.daxguard.btrfs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A chunk's mapping between logical addresses and device bytes goes both ways: every mirror of every logical byte,
 * taken back from its device, is that logical byte again.
 */
class ChunkTest {
    private static final long STRIPE = 64 * 1024;
    private static final long START = 1L << 30;

    @ParameterizedTest
    @EnumSource(value = Profile.class, names = {"SINGLE", "DUP", "RAID0", "RAID1", "RAID10", "RAID1C3", "RAID1C4"})
    void everyMirrorOfEveryLogicalByteMapsBackToIt(Profile profile) {
        Chunk chunk = chunk(profile);
        Random random = new Random(42);
        for (int i = 0; i < 2000; i++) {
            long logical = START + (random.nextLong() & Long.MAX_VALUE) % chunk.length();
            for (int mirror = 1; mirror <= profile.copiesIn(chunk); mirror++) {
                Chunk.Placement placement = chunk.placementOf(logical, mirror).orElseThrow();
                int stripe = stripeHolding(chunk, placement);
                long[] back = chunk.logicalOf(stripe, placement.physical()).orElseThrow();
                assertThat(back[0]).as("%s mirror %d of %d", profile, mirror, logical).isEqualTo(logical);
                assertThat(back[1]).isPositive();
            }
            assertThat(chunk.placementOf(logical, profile.copiesIn(chunk) + 1)).isEmpty();
        }
    }

    /** Four devices; a stripe of {@code perDevice} bytes each, where the profile puts them. */
    private static Chunk chunk(Profile profile) {
        long perDevice = 16 * STRIPE;
        List<Chunk.Stripe> stripes = switch (profile) {
            case SINGLE -> List.of(new Chunk.Stripe(1, 1L << 20));
            case DUP -> List.of(new Chunk.Stripe(1, 1L << 20), new Chunk.Stripe(1, 9L << 20));
            case RAID1 -> List.of(new Chunk.Stripe(1, 1L << 20), new Chunk.Stripe(2, 5L << 20));
            case RAID1C3 -> List.of(new Chunk.Stripe(1, 1L << 20), new Chunk.Stripe(2, 5L << 20),
                    new Chunk.Stripe(3, 3L << 20));
            default -> List.of(new Chunk.Stripe(1, 1L << 20), new Chunk.Stripe(2, 5L << 20),
                    new Chunk.Stripe(3, 3L << 20), new Chunk.Stripe(4, 7L << 20));
        };
        long length = switch (profile) {
            case RAID0 -> perDevice * 4;
            case RAID10 -> perDevice * 2;
            default -> perDevice;
        };
        return new Chunk(START, length, STRIPE, Chunk.BLOCK_GROUP_DATA | profile.bit(),
                profile == Profile.RAID10 ? 2 : 1, stripes);
    }

    private static int stripeHolding(Chunk chunk, Chunk.Placement placement) {
        long perDevice = chunk.profile().isStriped()
                ? chunk.length() / (chunk.stripes().size() / (chunk.profile() == Profile.RAID10 ? 2 : 1))
                : chunk.length();
        for (int i = 0; i < chunk.stripes().size(); i++) {
            Chunk.Stripe stripe = chunk.stripes().get(i);
            if (stripe.devid() == placement.devid() && stripe.offset() <= placement.physical()
                    && placement.physical() < stripe.offset() + perDevice) {
                return i;
            }
        }
        throw new AssertionError("no stripe holds " + placement);
    }
}
