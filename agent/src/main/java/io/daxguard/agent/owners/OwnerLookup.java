package io.daxguard.agent.owners;

import io.daxguard.agent.ledger.AffectedOwner;
import io.daxguard.agent.ledger.FilesystemRef;
import io.daxguard.agent.plugins.AttachedFilesystem;
import io.daxguard.agent.plugins.Filesystems;
import io.daxguard.support.MemberHolder;
import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.FailureRange;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.Holder;
import io.daxguard.spi.Owner;
import io.daxguard.spi.Redundancy;
import io.daxguard.spi.UnknownOwner;
import io.daxguard.support.linux.OverlappedCalls;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Every owner of filesystem-relative byte ranges, with the paths of the files among them, recording nothing: the
 * holder's reverse map (design step 4) and the names (step 5). Used by the router for each routed piece, by the
 * Filesystem MBean's {@code resolve}, and by the look again at unknown owners.
 *
 * <p>Threads: a lookup runs on its caller's thread. One {@code daxguard-path-walker} thread, owned here, walks a
 * directory tree ahead of a batch's path questions so the walk overlaps the reverse-map queries; {@link #close}
 * stops it. Up to {@link #NAME_CHECKS} {@code daxguard-name-check} threads, owned here ({@link OverlappedCalls}: made
 * when a batch needs them, ended after 30 s idle and by {@link #close}), check a batch's names with {@code statx} a
 * few at a time so their reads overlap on cold caches.
 */
public final class OwnerLookup implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(OwnerLookup.class.getName());

    /** Name checks made at once besides the caller's. */
    static final int NAME_CHECKS = 3;

    private final Filesystems filesystems;
    private final OverlappedCalls nameChecks = new OverlappedCalls("daxguard-name-check", NAME_CHECKS);
    private final ExecutorService pathWalker = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "daxguard-path-walker");
        thread.setDaemon(true);
        return thread;
    });

    public OwnerLookup(Filesystems filesystems) {
        this.filesystems = filesystems;
    }

    /** The filesystems the lookups are answered from. */
    public Filesystems filesystems() {
        return filesystems;
    }

    /**
     * The owners of a range of the filesystem on {@code device}; none when no plugin holds a filesystem there. When
     * the reverse map itself fails (a media error in the filesystem's own btrees is exactly when it may), the
     * answer is one unknown owner saying why, so the damage is still recorded.
     */
    public List<AffectedOwner> ownersOn(DeviceNumber device, String deviceName, FailureRange range) {
        Optional<AttachedFilesystem> filesystem = filesystems.holding(device);
        if (filesystem.isEmpty() || filesystem.get().holder().isEmpty()) {
            return List.of();
        }
        try {
            // A member of a filesystem over several devices: the range is relative to that member.
            return resolveListed(filesystem.get(), MemberHolder.of(filesystem.get().holder().get(), device),
                    List.of(range)).get(0);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "owners of " + deviceName + " bytes " + range.offset() + "+"
                    + range.length() + " could not be found; recorded as unknown", e);
            return List.of(new AffectedOwner(filesystem.get().reference(), new UnknownOwner(range.offset(),
                    range.length(), "the reverse map failed: " + e), List.of()));
        }
    }

    /**
     * How many copies the filesystem holding {@code device} keeps of a range of it ({@code Holder.redundancy}, the
     * range relative to that member); {@link Redundancy#NONE} when none holds it or the holder cannot say (damage is
     * then taken for data loss, never the other way round).
     */
    public Redundancy redundancyOn(DeviceNumber device, FailureRange range) {
        Optional<AttachedFilesystem> filesystem = filesystems.holding(device);
        if (filesystem.isEmpty() || filesystem.get().holder().isEmpty()) {
            return Redundancy.NONE;
        }
        try {
            Redundancy redundancy = filesystem.get().holder().get().redundancy(device, range);
            return redundancy == null ? Redundancy.NONE : redundancy;
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "the redundancy of " + device + " bytes " + range.offset() + "+"
                    + range.length() + " could not be read; the damage is taken for data loss: " + e);
            return Redundancy.NONE;
        }
    }

    /**
     * Every owner of a filesystem-relative range, with paths.
     *
     * @throws IllegalStateException when no plugin holds the filesystem
     */
    public List<AffectedOwner> resolve(AttachedFilesystem filesystem, FailureRange range) throws IOException {
        return resolveAll(filesystem, List.of(range)).get(0);
    }

    /**
     * {@link #resolve} for many ranges of one filesystem: one batch for the holder and one path lookup for every
     * inode of every range.
     */
    public List<List<AffectedOwner>> resolveAll(AttachedFilesystem filesystem, List<FailureRange> ranges)
            throws IOException {
        Holder holder = filesystem.holder().orElseThrow(() -> new IllegalStateException(
                filesystem.mount().mountPoint() + " is not held: " + filesystem.refusal().orElse("")));
        if (ranges.size() > 1) {
            filesystem.paths().walkAheadOn(pathWalker);
        }
        return named(filesystem, holder.notifyFailures(ranges));
    }

    /**
     * {@link #resolveAll} for what is recorded: each range's owners bounded by {@link ListedOwners} (the first
     * {@link ListedOwners#LIMIT}, then one owner standing for the rest), asked a page at a time when the range is
     * larger than a page, paths looked up for the listed files only. A failure range the kernel reports whole (8 GiB of
     * a dead pmem namespace) so costs a page of owners at a time, never every extent of the device at once.
     */
    public List<List<AffectedOwner>> resolveListed(AttachedFilesystem filesystem, List<FailureRange> ranges)
            throws IOException {
        Holder holder = filesystem.holder().orElseThrow(() -> new IllegalStateException(
                filesystem.mount().mountPoint() + " is not held: " + filesystem.refusal().orElse("")));
        return resolveListed(filesystem, holder, ranges);
    }

    private List<List<AffectedOwner>> resolveListed(AttachedFilesystem filesystem, Holder holder,
                                                    List<FailureRange> ranges) throws IOException {
        boolean small = ranges.stream().allMatch(range -> range.length() <= ListedOwners.PAGE_BYTES);
        List<List<Owner>> answers = new ArrayList<>(small ? holder.notifyFailures(ranges) : ranges.stream()
                .map(range -> List.<Owner>of()).toList());
        for (int i = 0; i < ranges.size(); i++) {
            if (!small || answers.get(i).size() > ListedOwners.LIMIT) {
                answers.set(i, ListedOwners.of(holder, ranges.get(i)));
            }
        }
        return named(filesystem, answers);
    }

    /** The owners with the paths of the files among them, one path lookup for all (one per subvolume). */
    private List<List<AffectedOwner>> named(AttachedFilesystem filesystem, List<List<Owner>> answers) {
        Map<Long, Set<Long>> inodesBySubvolume = new java.util.TreeMap<>();
        for (List<Owner> owners : answers) {
            for (Owner owner : owners) {
                if (owner instanceof FileOwner file) {
                    inodesBySubvolume.computeIfAbsent(file.subvolume(), subvolume -> new LinkedHashSet<>())
                            .add(file.inode());
                }
            }
        }
        Map<Long, Map<Long, List<String>>> paths = new java.util.HashMap<>();
        inodesBySubvolume.forEach((subvolume, inodes) -> paths.put(subvolume, pathsOrNone(filesystem, subvolume,
                inodes)));
        FilesystemRef reference = filesystem.reference();
        List<List<AffectedOwner>> affected = new ArrayList<>(answers.size());
        for (List<Owner> owners : answers) {
            List<AffectedOwner> named = new ArrayList<>(owners.size());
            for (Owner owner : owners) {
                List<String> names = owner instanceof FileOwner file ? paths.getOrDefault(file.subvolume(), Map.of())
                        .getOrDefault(file.inode(), List.of()) : List.of();
                named.add(new AffectedOwner(reference, owner, names));
            }
            affected.add(named);
        }
        return affected;
    }

    /** Names are a help, not the answer: when the walk fails (a damaged directory), owners go without them. */
    private Map<Long, List<String>> pathsOrNone(AttachedFilesystem filesystem, long subvolume, Set<Long> inodes) {
        try {
            return filesystem.paths().pathsOf(subvolume, inodes, nameChecks);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "names of " + inodes.size() + " inode(s) in "
                    + filesystem.mount().mountPoint() + (subvolume == 0 ? "" : " subvolume " + subvolume)
                    + " could not be found: " + e);
            return Map.of();
        }
    }

    @Override
    public void close() {
        pathWalker.shutdownNow();
        nameChecks.close();
    }
}
