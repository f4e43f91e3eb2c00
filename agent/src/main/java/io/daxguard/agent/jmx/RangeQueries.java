package io.daxguard.agent.jmx;

import io.daxguard.agent.jmx.ResolveSummary.OwnerKindCount;
import io.daxguard.agent.ledger.AffectedOwner;
import io.daxguard.agent.ledger.FilesystemRef;
import io.daxguard.agent.owners.OwnerLookup;
import io.daxguard.agent.plugins.AttachedFilesystem;
import io.daxguard.agent.source.operator.OperatorReports;
import io.daxguard.agent.validation.RequestLimits;
import io.daxguard.spi.FailureRange;
import io.daxguard.spi.Holder;
import io.daxguard.spi.UnknownOwner;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Filesystem MBean's reverse-map questions, bounded by {@code mbeans.resolveBytes} ({@link RequestLimits}):
 * {@code resolve} answers a range up to the limit and refuses a larger one naming the limit; {@code resolvePage}
 * answers the first page of any range and says where the next starts; {@code resolveSummary} walks a range of any
 * size a page at a time and keeps only counts and the first owners. No call holds the owners of more than one page,
 * however large the range. Runs on the caller's (JMX) thread and records nothing.
 */
final class RangeQueries {
    /** The most owners a summary lists with their paths, as for a page of {@code listDamagedFiles}. */
    static final int MAX_FIRST_OWNERS = FilesystemBean.MAX_PAGE;

    private final AttachedFilesystem filesystem;
    private final OwnerLookup owners;
    private final RequestLimits limits;

    RangeQueries(AttachedFilesystem filesystem, OwnerLookup owners, RequestLimits limits) {
        this.filesystem = filesystem;
        this.owners = owners;
        this.limits = limits;
    }

    List<OwnerView> resolve(long offset, long length) {
        String call = "resolve(" + offset + ", " + length + ")";
        checkRange(call, offset, length);
        try {
            limits.checkResolve(length);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(call + ": " + e.getMessage());
        }
        return answered(call, () -> views(FailureRange.of(offset, length)));
    }

    /**
     * Many ranges as one batch for the holder ({@link OwnerLookup#resolveAll}: one look at the filesystem's changes,
     * one path lookup for every inode). Every range is checked before anything is asked.
     */
    List<ResolvedRange> resolveRanges(long[] offsets, long[] lengths) {
        List<List<OwnerView>> answers = resolveEach("resolveRanges", offsets, lengths);
        List<ResolvedRange> resolved = new ArrayList<>(answers.size());
        for (int i = 0; i < answers.size(); i++) {
            resolved.add(new ResolvedRange(offsets[i], lengths[i], answers.get(i)));
        }
        return resolved;
    }

    /** {@link #resolveRanges}'s answers as columns: the same checks, the same owners. */
    ResolvedColumns resolveRangesAsColumns(long[] offsets, long[] lengths) {
        return ResolvedColumns.of(resolveEach("resolveRangesAsColumns", offsets, lengths));
    }

    private List<List<OwnerView>> resolveEach(String call, long[] offsets, long[] lengths) {
        if (offsets == null || lengths == null) {
            throw new IllegalArgumentException(call + " rejected: offsets and lengths are both needed, one element per"
                    + " range");
        }
        if (offsets.length != lengths.length) {
            throw new IllegalArgumentException(call + " rejected: the arrays differ in length (offsets "
                    + offsets.length + ", lengths " + lengths.length + "): range i is offsets[i], lengths[i]");
        }
        limits.checkBatch(call, offsets.length);
        List<FailureRange> asked = new ArrayList<>(offsets.length);
        long total = 0;
        for (int i = 0; i < offsets.length; i++) {
            checkRange(call + " rejected: range " + i, offsets[i], lengths[i]);
            asked.add(FailureRange.of(offsets[i], lengths[i]));
            total = lengths[i] > Long.MAX_VALUE - total ? Long.MAX_VALUE : total + lengths[i];
        }
        try {
            limits.checkResolveTotal(total);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(call + " rejected: " + e.getMessage());
        }
        if (asked.isEmpty()) {
            return List.of();
        }
        return answered(call + " of " + asked.size() + " ranges", () -> owners.resolveAll(filesystem, asked).stream()
                .map(answer -> answer.stream().map(OwnerView::of).toList()).toList());
    }

    ResolvePage resolvePage(long offset, long length) {
        String call = "resolvePage(" + offset + ", " + length + ")";
        checkRange(call, offset, length);
        return answered(call, () -> {
            long size = holder().info().size();
            if (offset >= size) {
                // Past the filesystem's end nothing is asked: the rest is one page, however long.
                return new ResolvePage(offset, length, -1, 0, List.of(beyondTheEnd(offset, offset + length, size)));
            }
            long pageLength = Math.min(length, limits.resolveBytes());
            long remaining = length - pageLength;
            return new ResolvePage(offset, pageLength, remaining > 0 ? offset + pageLength : -1, remaining,
                    views(FailureRange.of(offset, pageLength)));
        });
    }

    ResolveSummary resolveSummary(long offset, long length, int firstOwners) {
        String call = "resolveSummary(" + offset + ", " + length + ", " + firstOwners + ")";
        checkRange(call, offset, length);
        if (firstOwners < 0 || firstOwners > MAX_FIRST_OWNERS) {
            throw new IllegalArgumentException(call + ": firstOwners must be in 0.." + MAX_FIRST_OWNERS + ", was "
                    + firstOwners);
        }
        return answered(call, () -> summary(offset, length, firstOwners));
    }

    private ResolveSummary summary(long offset, long length, int firstOwners) throws IOException {
        Map<String, long[]> kinds = new TreeMap<>();
        List<OwnerView> first = new ArrayList<>();
        long counted = 0;
        long pages = 0;
        long end = offset + length;
        long size = holder().info().size();
        // Bytes past the filesystem's end are one unknown owner, not pages of them (a range up to 2^63 would be
        // billions of pages).
        long pagedEnd = Math.min(end, Math.max(offset, size));
        for (long at = offset; at < pagedEnd; ) {
            FailureRange page = FailureRange.of(at, Math.min(limits.resolveBytes(), pagedEnd - at));
            pages++;
            // Paths cost a name lookup per inode: only while owners are still listed.
            List<OwnerView> views = first.size() < firstOwners ? views(page) : viewsWithoutPaths(page);
            counted += count(views, kinds, first, firstOwners);
            at = page.end();
        }
        if (pagedEnd < end) {
            counted += count(List.of(beyondTheEnd(pagedEnd, end, size)), kinds, first, firstOwners);
        }
        List<OwnerKindCount> counts = kinds.entrySet().stream()
                .map(kind -> new OwnerKindCount(kind.getKey(), kind.getValue()[0], kind.getValue()[1])).toList();
        return new ResolveSummary(offset, length, pages, counted, counts, first);
    }

    /** Counts {@code views} by kind and lists them while fewer than {@code firstOwners} are; how many they are. */
    private static int count(List<OwnerView> views, Map<String, long[]> kinds, List<OwnerView> first,
                             int firstOwners) {
        views.stream().limit(Math.max(0, firstOwners - first.size())).forEach(first::add);
        for (OwnerView view : views) {
            long[] count = kinds.computeIfAbsent(kindOf(view), kind -> new long[2]);
            count[0]++;
            count[1] += view.length();
        }
        return views.size();
    }

    /** {@code file DATA}, {@code metadata xfs.log}, {@code free space}, {@code unknown}. */
    private static String kindOf(OwnerView view) {
        return switch (view.kind()) {
            case "file" -> "file " + view.fork();
            case "metadata" -> "metadata " + view.structure();
            default -> view.kind();
        };
    }

    private List<OwnerView> views(FailureRange range) throws IOException {
        return owners.resolve(filesystem, range).stream().map(OwnerView::of).toList();
    }

    /** The owner of bytes past the filesystem's end, as the holders name it, without asking the holder. */
    private OwnerView beyondTheEnd(long from, long to, long size) {
        UnknownOwner beyond = new UnknownOwner(from, to - from, "beyond the end of the filesystem, which holds "
                + size + " bytes of the device");
        return OwnerView.of(new AffectedOwner(filesystem.reference(), beyond, List.of()));
    }

    private Holder holder() {
        return filesystem.holder().orElseThrow(() -> new IllegalStateException(
                filesystem.mount().mountPoint() + " is not held: " + filesystem.refusal().orElse("")));
    }

    private List<OwnerView> viewsWithoutPaths(FailureRange range) throws IOException {
        FilesystemRef reference = filesystem.reference();
        return holder().notifyFailure(range).stream()
                .map(owner -> OwnerView.of(new AffectedOwner(reference, owner, List.of()))).toList();
    }

    private static void checkRange(String call, long offset, long length) {
        if (offset < 0) {
            throw new IllegalArgumentException(call + ": offset must not be negative, was " + offset);
        }
        if (length <= 0) {
            throw new IllegalArgumentException(call + ": length must be at least 1, was " + length);
        }
        if (length > Long.MAX_VALUE - offset) {
            throw new IllegalArgumentException(call + ": offset + length is past any device (offset " + offset
                    + ", length " + length + ")");
        }
    }

    private interface Query<T> {
        T run() throws IOException;
    }

    /** Only JDK exception types cross to a remote client; the plugin's own types may not be there. */
    private <T> T answered(String call, Query<T> query) {
        try {
            return query.run();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(call + ": " + e.getMessage());
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException(call + " on " + filesystem.mount().mountPoint() + " failed: "
                    + OperatorReports.describe(e));
        }
    }
}
