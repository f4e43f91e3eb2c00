package io.daxguard.agent.owners;

import io.daxguard.spi.FailureRange;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.FreeSpaceOwner;
import io.daxguard.spi.Holder;
import io.daxguard.spi.MetadataOwner;
import io.daxguard.spi.Owner;
import io.daxguard.spi.UnknownOwner;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The owners a damage record lists, bounded whatever the range: a failure reported whole (a dead pmem namespace, 8 GiB
 * at once, from a kernel source no request limit applies to) is asked of the holder {@link #PAGE_BYTES} at a time;
 * the first {@link #LIMIT} owners are kept, the rest only counted per kind, and one {@link UnknownOwner} whose reason
 * starts with {@link #UNLISTED} stands for them, from the first byte not listed to the range's end. So routing it
 * holds at most one page's owners and the listed ones, never every extent of the device; {@code resolveSummary} and
 * {@code resolvePage} name the rest on request.
 */
public final class ListedOwners {
    /** Owners one failure range lists at most: as many as the DamagedFile MBeans of a filesystem by default. */
    public static final int LIMIT = 10_000;
    /** Bytes asked of a holder at once when the range is larger. */
    public static final long PAGE_BYTES = 64L << 20;
    /** How the reason of the owner that stands for the owners not listed starts. */
    public static final String UNLISTED = "owners not listed: ";

    private ListedOwners() {
    }

    /** Whether this unknown owner stands for owners not listed (not a reverse map that could not answer). */
    public static boolean isUnlisted(Owner owner) {
        return owner instanceof UnknownOwner unknown && unknown.reason().startsWith(UNLISTED);
    }

    /** The owners of {@code range}: at most {@link #LIMIT} of them, then one owner standing for the rest. */
    static List<Owner> of(Holder holder, FailureRange range) throws IOException {
        if (range.length() <= PAGE_BYTES) {
            List<Owner> owners = holder.notifyFailures(List.of(range)).get(0);
            if (owners.size() <= LIMIT) {
                return owners;
            }
        }
        List<Owner> listed = new ArrayList<>();
        Tally rest = new Tally();
        long end = range.offset() + range.length();
        for (long at = range.offset(); at < end; at += PAGE_BYTES) {
            FailureRange page = new FailureRange(at, Math.min(PAGE_BYTES, end - at), range.errno(), range.flags());
            for (Owner owner : holder.notifyFailures(List.of(page)).get(0)) {
                if (listed.size() < LIMIT) {
                    listed.add(owner);
                } else {
                    rest.add(owner);
                }
            }
        }
        if (rest.owners > 0) {
            listed.add(rest.summary(end));
        }
        return listed;
    }

    /** Owners not listed, counted per kind. */
    private static final class Tally {
        private long owners;
        private long firstByte = Long.MAX_VALUE;
        private final long[] count = new long[4];
        private final long[] bytes = new long[4];
        private static final String[] KINDS = {"file", "metadata", "free space", "unknown"};

        void add(Owner owner) {
            int kind = owner instanceof FileOwner ? 0 : owner instanceof MetadataOwner ? 1
                    : owner instanceof FreeSpaceOwner ? 2 : 3;
            owners++;
            count[kind]++;
            bytes[kind] += owner.length();
            firstByte = Math.min(firstByte, owner.physicalOffset());
        }

        UnknownOwner summary(long end) {
            StringBuilder reason = new StringBuilder(UNLISTED).append(String.format(Locale.ROOT, "%,d more (", owners));
            String separator = "";
            for (int kind = 0; kind < KINDS.length; kind++) {
                if (count[kind] > 0) {
                    reason.append(separator).append(String.format(Locale.ROOT, "%s %,d, %,d bytes", KINDS[kind], count[kind],
                            bytes[kind]));
                    separator = "; ";
                }
            }
            reason.append(String.format(Locale.ROOT, ") past the %,d one failure lists; Filesystem.resolveSummary or "
                    + "`daxguard resolve --summary` names them", LIMIT));
            long first = Math.min(firstByte, end - 1);
            return new UnknownOwner(first, end - first, reason.toString());
        }
    }
}
