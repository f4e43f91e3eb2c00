package io.daxguard.support.index;

import io.daxguard.spi.FailureRange;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.Fork;
import io.daxguard.spi.Owner;
import io.daxguard.spi.ReverseMapStatus;
import io.daxguard.spi.UnknownOwner;
import java.io.Closeable;
import java.io.IOException;
import io.daxguard.spi.LinuxPath;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import io.daxguard.support.linux.FilesystemChanges;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A reverse map for a filesystem that keeps none: an {@link ExtentIndex} proposes owners, the live file
 * confirms each before it is reported, and a stale index is rebuilt rather than trusted.
 *
 * <p><b>Threads.</b> The map owns one daemon thread, {@code daxguard-index <root>} ({@link IndexBuildThread}),
 * created by {@link #start}: it runs the first build at once and every refresh after (a build with an
 * {@link InodeScanner} briefly adds a helper it joins). Queries run on the caller's threads, any number at
 * once; a query that needs a refresh waits for a build that <em>started after the query did</em> (concurrent
 * queries share it). {@link #close} sets a flag the builder polls between files, interrupts the thread, joins
 * it (up to 30 s), and fails every waiting query with an {@link IOException}.
 *
 * <p><b>Staleness.</b> A refresh is a full rebuild (walk + FIEMAP, or walk + scanner: ~0.5 s for 200,000 ext4
 * files). No question of an unchanged filesystem causes one: an index whose build started after the filesystem's
 * last change (its fanotify change count) is current, and its answer is trusted for blocks no file explains and for
 * inline data ({@link IndexFreshness}). A query that predates nothing of the index never refreshes it. A refresh
 * happens when a proposed owner fails confirmation (the file was truncated, deleted, replaced, its blocks moved), or
 * part of an allocated range (or an inode table) is unexplained and the filesystem changed since the build (or its
 * changes cannot be counted); the latter at most once per {@link IndexOptions#gapRefreshInterval}. Ranges still
 * unexplained by a fresh index are remembered for that index. All parts of one failure share one rebuild. Builds are
 * counted by cause ({@link #rebuilds()}).
 *
 * <p>Over 400 lines because it is the plugins' one door to the index: each question (owners of allocated blocks,
 * owners only if all confirmed, unwritten spans, inline data, verified names, a batch) takes the same freshness and
 * confirmation steps here, while the steps themselves live apart ({@link IndexFreshness}, {@link LiveConfirmation},
 * {@link ConfirmedFacts}, {@link UnexplainedRanges}, {@link IndexBuildThread}).
 */
public final class LiveReverseMap implements Closeable {
    private final Duration gapRefreshInterval;
    /** The index's copy in the state directory, whose troubles the status line names. */
    private final Optional<SavedIndexFile> saved;
    private final LiveConfirmation confirmation;
    private final IndexBuildThread builds;
    private final IndexFreshness freshness;
    private final UnexplainedRanges unexplained = new UnexplainedRanges();
    private final ConfirmedFacts facts;
    private final AtomicLong liveConfirmations = new AtomicLong();
    private final ColdNameReads readAhead = new ColdNameReads();
    /** The mounts at or below the root, read again only when the mount table changed since the last read. */
    private volatile MountsRead mounts = new MountsRead(-1, null);

    private LiveReverseMap(LinuxPath root, IndexOptions options, System.Logger logger,
                           Consumer<IndexBuildProgress> listener) {
        Objects.requireNonNull(root, "root is null");
        Objects.requireNonNull(options, "options is null");
        this.gapRefreshInterval = options.gapRefreshInterval();
        this.saved = Optional.ofNullable(options.saved());
        // The build thread reads the change count only once started, after the constructor has set facts.
        this.builds = new IndexBuildThread(root, options, Objects.requireNonNull(logger, "logger is null"),
                Objects.requireNonNull(listener, "listener is null"), new IndexChanges() {
                    @Override
                    public FilesystemChanges.ChangedFiles take() {
                        return facts.takeChangedFiles();
                    }

                    @Override
                    public int pending() {
                        return facts.changedFilesPending();
                    }
                });
        // The held device is known once the build thread looked at the root, before any index exists to confirm.
        this.confirmation = new LiveConfirmation(options.extras(), builds.held()::device);
        this.freshness = new IndexFreshness(builds);
        // Last: it opens descriptors (fanotify, mountinfo) that nothing would close if a step above threw.
        this.facts = ConfirmedFacts.watching(root, logger, options.rememberConfirmations());
    }

    /**
     * Starts building the index of the tree under {@code root} (a mount point) on the map's own thread and
     * returns at once.
     *
     * @param listener hears progress on the build thread; must return quickly
     */
    public static LiveReverseMap start(LinuxPath root, IndexOptions options, System.Logger logger,
                                       Consumer<IndexBuildProgress> listener) {
        LiveReverseMap map = new LiveReverseMap(root, options, logger, listener);
        map.builds.start();
        return map;
    }

    /** {@link #start(LinuxPath, IndexOptions, System.Logger, Consumer)} with FIEMAP per file and these extras. */
    public static LiveReverseMap start(LinuxPath root, ExtraExtentSource extras, System.Logger logger,
                                       Consumer<IndexBuildProgress> listener) {
        return start(root, IndexOptions.defaults().withExtras(extras), logger, listener);
    }

    /** {@link #start(LinuxPath, IndexOptions, System.Logger, Consumer)} with a scanner (may be null) and extras. */
    public static LiveReverseMap start(LinuxPath root, ExtraExtentSource extras, InodeScanner scanner,
                                       System.Logger logger, Consumer<IndexBuildProgress> listener) {
        return start(root, IndexOptions.defaults().withExtras(extras).withScanner(scanner), logger, listener);
    }

    /** Where the build is. */
    public IndexBuildProgress progress() {
        return builds.progress();
    }

    /** Where the map stands, as the SPI reports it ({@link io.daxguard.spi.Holder#reverseMapStatus}). */
    public ReverseMapStatus status() {
        IndexBuildProgress now = builds.progress();
        ExtentIndex index = builds.current();
        Map<String, Long> rebuilds = new LinkedHashMap<>();
        rebuilds().forEach((cause, count) -> rebuilds.put(cause.key(), count));
        return switch (now.state()) {
            case BUILDING -> new ReverseMapStatus(ReverseMapStatus.State.BUILDING, now.percentDone(),
                    now.filesMapped(), now.extents(), "", rebuilds);
            case READY -> new ReverseMapStatus(builds.isBuilding() ? ReverseMapStatus.State.REBUILDING
                    : ReverseMapStatus.State.READY, 100, index == null ? now.filesMapped() : index.fileCount(),
                    index == null ? now.extents() : index.extentCount(), index == null ? "" : readyMessage(index),
                    rebuilds);
            case FAILED -> new ReverseMapStatus(ReverseMapStatus.State.FAILED, 0, 0, 0, now.failure(), rebuilds);
            case CLOSED -> new ReverseMapStatus(ReverseMapStatus.State.CLOSED, 0, 0, 0, "", rebuilds);
        };
    }

    /**
     * Size and build time of the index, whether answers are remembered, and what its saved copy could not do, for the
     * administrator.
     */
    private String readyMessage(ExtentIndex index) {
        String remembered = facts.unavailable().isEmpty() ? ""
                : "; every answer confirmed live: " + facts.unavailable();
        String savedProblem = saved.map(SavedIndexFile::problem).filter(problem -> !problem.isEmpty())
                .map(problem -> "; " + problem).orElse("");
        return String.format(java.util.Locale.ROOT, "%,d KiB, %s in %,d ms%s%s", (index.memoryBytes() + 1023) / 1024,
                index.loaded() ? "loaded from the state directory" : "built", index.buildTime().toMillis(), remembered,
                savedProblem);
    }

    /** Waits until the first build finished (or failed, or the map closed); true if an index is ready. */
    public boolean awaitIndex(Duration timeout) throws InterruptedException {
        return builds.awaitFirstBuild(timeout) && builds.current() != null;
    }

    /** The current snapshot, once the first build finished. Proposals only: confirm before reporting. */
    public Optional<ExtentIndex> index() {
        return Optional.ofNullable(builds.current());
    }

    /** Every known path of the inode (all hard links), from the current index; empty if unknown. */
    public List<LinuxPath> pathsOf(long inode) {
        ExtentIndex index = builds.current();
        return index == null ? List.of() : index.pathsOf(inode);
    }

    /**
     * Starts a question: every part of it (all ranges of a batch, all pieces of one range) shares one moment, so
     * the index is rebuilt at most once for it, and one look at the filesystem's changes, so what was confirmed
     * live since the last change is not confirmed again.
     */
    public Question question() throws IOException {
        long changes = facts.look();
        return new Question(System.nanoTime(), changes, changes < 0 ? -1 : facts.fileChanges());
    }

    /** Index proposals checked against the live file (reopened, FIEMAP) since the map started. */
    public long liveConfirmations() {
        return liveConfirmations.get();
    }

    /**
     * The owners of a range the filesystem says is allocated but cannot name (GETFSMAP's {@code OWN_UNKNOWN}):
     * confirmed {@link FileOwner}s, and an {@link UnknownOwner} with the reason for every byte none confirms,
     * in physical order. Inline extents are left out: they live in inode tables, see {@link #inlineOwners}.
     */
    public List<Owner> ownersOfAllocated(long from, long to) throws IOException {
        return ownersOfAllocated(from, to, question());
    }

    /** As {@link #ownersOfAllocated(long, long)} for one part of a larger {@link Question}. */
    public List<Owner> ownersOfAllocated(long from, long to, Question question) throws IOException {
        checkRange(from, to);
        ExtentIndex index = builds.current();
        if (index == null) {
            return List.of(new UnknownOwner(from, to - from, builds.notReadyReason()));
        }
        Resolution resolution = resolve(facts.epoch(index, question.changeCount()), index, from, to, false);
        if (index.loaded() && (resolution.rejected || !resolution.gaps.isEmpty() || anyShared(resolution.owners))) {
            // A saved index knows nothing of what changed while the agent was down; the catch-up build queued at
            // start does, so a gap (a file made or grown since), a rejection, or a shared block (a sharer may have
            // been cloned onto it since: every owner the index names still confirms) waits for it before anything.
            index = builds.newestAvailable(index);
            resolution = resolve(facts.epoch(index, question.changeCount()), index, from, to, false);
        }
        if (resolution.rejected && index.startedNanos() < question.askedNanos() && freshness.isCurrent(index, question)) {
            // No event since the build, yet a file no longer maps what it did: its blocks moved without one (a
            // block-moving ioctl whose descriptors are still open, a dedupe). The file that maps them now was not named
            // by any event either, so an incremental refresh (which rechecks only the rejected file) cannot find it.
            builds.demandFullBuild("a file's blocks at byte " + from + " of the device moved with no event (a"
                    + " defragmenter's block move still open, or a dedupe)");
        }
        boolean unexplainedGaps = !unexplained.coversAll(index, resolution.gaps);
        IndexFreshness.Staleness stale = freshness.staleness(index, question, resolution.rejected, unexplainedGaps,
                RebuildCause.UNEXPLAINED_BLOCKS);
        if (resolution.sharedUnlikeIndexed && !resolution.rejected && index.startedNanos() < question.askedNanos()) {
            // Shared now, unshared in the index, and no event: a dedupe through a read-only descriptor moved another
            // file onto these blocks. Only a full walk finds that file; rate-limited, as it may not be mended by one.
            builds.demandFullBuild("blocks at byte " + from + " of the device are shared with a file the index does"
                    + " not name (deduplicated without an event)");
            stale = new IndexFreshness.Staleness(stale == null ? RebuildCause.PROPOSAL_REJECTED : stale.cause(), true);
        }
        boolean limited = false;
        if (stale != null) {
            ExtentIndex refreshed = freshness.refreshed(question, stale);
            limited = refreshed == null;
            index = limited ? builds.newestAvailable(index) : refreshed;
            resolution = resolve(facts.epoch(index, question.changeCount()), index, from, to, false);
            if (!limited) {
                unexplained.remember(index, resolution.gaps);
            }
        }
        List<Owner> owners = new ArrayList<>(resolution.owners);
        String refusal = builds.held().refusal();
        String reason = refusal != null ? "allocated, but not answered: " + refusal
                : "allocated, but no file maps it" + (limited ? " in an index rebuilt less than "
                + gapRefreshInterval.toSeconds() + " s ago (rebuilds for unexplained blocks are rate-limited)"
                : " (filesystem metadata the filesystem does not name, a long symlink's block, or a block"
                + " allocated by a write through a shared mapping, which the kernel does not report)");
        for (ByteSpan gap : resolution.gaps) {
            owners.add(new UnknownOwner(gap.start(), gap.length(), reason));
        }
        owners.sort(Comparator.comparingLong(Owner::physicalOffset));
        return owners;
    }

    /**
     * Full builds per cause since the map started (the first build under {@link RebuildCause#FIRST_BUILD}), and the
     * refreshes made incrementally, whatever their cause, under {@link RebuildCause#INCREMENTAL}.
     */
    public Map<RebuildCause, Long> rebuilds() {
        Map<RebuildCause, Long> counts = new java.util.EnumMap<>(RebuildCause.class);
        for (RebuildCause cause : RebuildCause.values()) {
            counts.put(cause, builds.builds(cause));
        }
        return counts;
    }

    /**
     * The confirmed owners of {@code [from, to)} if they account for every byte of it, without asking the
     * filesystem anything else and without refreshing: a byte a live file maps is that file's, so a caller can
     * answer from this alone and skip its own allocation lookup (GETFSMAP). Empty when the index is not ready,
     * a proposal failed, or any byte is unexplained; the caller then takes its full path.
     */
    public Optional<List<FileOwner>> ownersIfAllConfirmed(long from, long to) throws IOException {
        return ownersIfAllConfirmed(from, to, question());
    }

    /** As {@link #ownersIfAllConfirmed(long, long)} for one part of a larger {@link Question}. */
    public Optional<List<FileOwner>> ownersIfAllConfirmed(long from, long to, Question question) throws IOException {
        checkRange(from, to);
        ExtentIndex index = builds.current();
        if (index == null) {
            return Optional.empty();
        }
        ConfirmedFacts.Epoch epoch = facts.epoch(index, question.changeCount());
        List<FileOwner> known = epoch.answer(from, to);
        if (known != null) {
            return Optional.of(known);
        }
        Resolution resolution = resolve(epoch, index, from, to, false);
        if (resolution.rejected || resolution.sharedUnlikeIndexed || !resolution.gaps.isEmpty()
                || (index.loaded() && anyShared(resolution.owners))) {
            return Optional.empty();
        }
        if (resolution.allRemembered) {
            epoch.rememberAnswer(from, to, resolution.owners);
        }
        return Optional.of(resolution.owners);
    }

    /**
     * The parts of {@code [from, to)} that are unwritten preallocation now, for a scrub to leave out (reads of them
     * return zeros, not the disk): each unwritten data extent the index knows there, kept only where the live files
     * confirm it (every owner confirmed, every one unwritten). Nothing is left out on a guess: an extent written
     * since, or one the index does not know yet, is read.
     */
    public List<ByteSpan> confirmedUnwritten(long from, long to) throws IOException {
        checkRange(from, to);
        ExtentIndex index = builds.current();
        if (index == null) {
            return List.of();
        }
        List<ByteSpan> unwritten = new ArrayList<>();
        Question question = null;
        for (IndexedExtent extent : index.overlapping(from, to)) {
            if (!ExtentFlags.has(extent.flags(), ExtentFlags.UNWRITTEN) || extent.fork() != Fork.DATA) {
                continue;
            }
            long start = Math.max(extent.physical(), from);
            long end = Math.min(extent.physical() + extent.length(), to);
            if (start >= end) {
                continue;
            }
            question = question == null ? question() : question;
            Optional<List<FileOwner>> owners = ownersIfAllConfirmed(start, end, question);
            if (owners.isPresent() && !owners.get().isEmpty()
                    && owners.get().stream().allMatch(FileOwner::unwritten)) {
                unwritten.add(new ByteSpan(start, end));
            }
        }
        return AllocatedRanges.merge(unwritten);
    }

    /**
     * Files whose data or attributes live inside inodes stored in {@code [from, to)} (ext4 inline data),
     * confirmed. No allocation map can say whether an inode table holds inline data the index does not know of, so
     * the index answers when it is current (built after the filesystem's last change, see {@link IndexFreshness}),
     * and is refreshed first (rate-limited) when the filesystem changed since, or its changes cannot be counted.
     */
    public List<FileOwner> inlineOwners(long from, long to) throws IOException {
        return inlineOwners(from, to, question());
    }

    /** As {@link #inlineOwners(long, long)}, for one part of a larger {@link Question}. */
    public List<FileOwner> inlineOwners(long from, long to, Question question) throws IOException {
        checkRange(from, to);
        ExtentIndex index = builds.current();
        if (index == null) {
            return List.of();
        }
        IndexFreshness.Staleness stale = freshness.staleness(index, question, false, true, RebuildCause.INLINE_DATA);
        if (stale != null) {
            ExtentIndex refreshed = freshness.refreshed(question, stale);
            index = refreshed == null ? builds.newestAvailable(index) : refreshed;
        }
        return resolve(facts.epoch(index, question.changeCount()), index, from, to, true).owners;
    }

    /**
     * Every name of each inode (relative to the root, {@code "/dir/file"}), each checked to lead to that inode
     * now, when the current index can vouch for all of them; see {@link VerifiedNames}. Empty when it cannot (an
     * inode it does not know, a name that moved, a link made since it was built): the caller walks the tree.
     */
    public Optional<Map<Long, List<LinuxPath>>> verifiedPaths(Collection<Long> inodes) throws IOException {
        ExtentIndex index = builds.current();
        if (index == null) {
            return Optional.empty();
        }
        Question question = question();
        return VerifiedNames.of(index, facts.epoch(index, question.changeCount()), inodes,
                namesCurrent(index, question));
    }

    /** Whether {@code index}'s names hold as walked for {@code question}, which was just asked: see {@link IndexFreshness#namesCurrent}. */
    private boolean namesCurrent(ExtentIndex index, Question question) {
        long mountChanges = facts.mountChanges();
        if (mountChanges < 0) {
            return false;
        }
        MountsRead read = mounts;
        if (read.mountChanges() != mountChanges || read.ids() == null) {
            // Read after the count: a mount made in between is in what is read, and moves the count for the next one.
            java.util.Set<Integer> ids;
            try {
                ids = MountsBelow.of(index.root());
            } catch (IOException | RuntimeException e) {
                ids = null;
            }
            read = new MountsRead(mountChanges, ids);
            mounts = read;
        }
        return freshness.namesCurrent(index, question, read.ids());
    }

    /** The mounts at or below the root ({@link MountsBelow}, null if unreadable) as read at a mount-change count. */
    private record MountsRead(long mountChanges, java.util.Set<Integer> ids) {
    }

    /** One range of a batch, answered as part of the batch's question. */
    @FunctionalInterface
    public interface RangeAnswer<T> {
        T answer(FailureRange range, Question question) throws IOException;
    }

    /**
     * Answers every range as part of one {@link Question}: one look at the filesystem's changes and at most one
     * rebuild for the whole batch. The files the batch's confirmations will open are read ahead a few at a time
     * first ({@link ColdNameReads}), so a cold batch's reads overlap.
     */
    public <T> List<T> answerAll(List<FailureRange> ranges, RangeAnswer<T> part) throws IOException {
        Question question = question();
        ExtentIndex index = builds.current();
        if (index != null) {
            readAhead.readAhead(index, facts.epoch(index, question.changeCount()), ranges, confirmation,
                    namesCurrent(index, question));
        }
        List<T> answers = new ArrayList<>(ranges.size());
        for (FailureRange range : ranges) {
            answers.add(part.answer(range, question));
        }
        return answers;
    }

    /** The owners of {@code [from, to)} that {@code index} proposes, confirmed live unless {@code epoch} has them. */
    private Resolution resolve(ConfirmedFacts.Epoch epoch, ExtentIndex index, long from, long to, boolean inline)
            throws IOException {
        int[] positions = index.positionsOverlapping(from, to);
        List<FileOwner> found = new ArrayList<>(positions.length);
        boolean rejected = false;
        boolean sharedUnlikeIndexed = false;
        boolean allRemembered = epoch.remembers();
        for (int position : positions) {
            IndexedExtent candidate = index.extentAt(position);
            if (candidate.isInline() != inline) {
                continue;
            }
            List<FileOwner> confirmed;
            if (epoch.isConfirmed(position)) {
                confirmed = List.of(LiveConfirmation.asIndexed(candidate, from, to));
            } else {
                liveConfirmations.incrementAndGet();
                confirmed = confirmation.confirm(index, candidate, from, to, () -> epoch.confirmed(position));
                allRemembered &= epoch.isConfirmed(position);
            }
            long wanted = Math.min(to, candidate.physicalEnd()) - Math.max(from, candidate.physical());
            long got = 0;
            for (FileOwner owner : confirmed) {
                got += owner.length();
            }
            if (got < wanted) {
                rejected = true;
                // Its record may be stale with no event to say so (deleted, and its inode number given to a file
                // made without a writable open): the next refresh checks it again by its names.
                builds.recheckOnNextRefresh(candidate.inode());
            }
            if (!ExtentFlags.has(candidate.flags(), ExtentFlags.SHARED)) {
                for (FileOwner owner : confirmed) {
                    sharedUnlikeIndexed |= owner.shared();
                }
            }
            found.addAll(confirmed);
        }
        List<FileOwner> owners = found.size() > 1 ? merged(found) : found;
        return new Resolution(owners, inline ? List.of() : gaps(owners, from, to), rejected, sharedUnlikeIndexed,
                allRemembered);
    }

    /** In physical order, the same bytes found twice (FIEMAP and an extra source) as one owner, flags combined. */
    private static List<FileOwner> merged(List<FileOwner> found) {
        Map<FileOwner, FileOwner> owners = new LinkedHashMap<>();
        for (FileOwner owner : found) {
            FileOwner key = new FileOwner(owner.inode(), owner.generation(), owner.fork(), owner.fileOffset(),
                    owner.physicalOffset(), owner.length(), false, false);
            owners.merge(key, owner, (a, b) -> new FileOwner(a.inode(), a.generation(), a.fork(), a.fileOffset(),
                    a.physicalOffset(), a.length(), a.shared() || b.shared(), a.unwritten() || b.unwritten()));
        }
        List<FileOwner> list = new ArrayList<>(owners.values());
        list.sort(Comparator.comparingLong(FileOwner::physicalOffset));
        return list;
    }

    private static List<ByteSpan> gaps(List<FileOwner> owners, long from, long to) {
        if (owners.size() == 1 && owners.get(0).physicalOffset() <= from && owners.get(0).physicalEnd() >= to) {
            return List.of();
        }
        List<ByteSpan> gaps = new ArrayList<>();
        long covered = from;
        for (FileOwner owner : owners) {
            if (owner.physicalOffset() > covered) {
                gaps.add(new ByteSpan(covered, owner.physicalOffset()));
            }
            covered = Math.max(covered, owner.physicalEnd());
        }
        if (covered < to) {
            gaps.add(new ByteSpan(covered, to));
        }
        return gaps;
    }

    /** @param allRemembered every owner comes from an extent confirmed whole in the question's epoch */
    private record Resolution(List<FileOwner> owners, List<ByteSpan> gaps, boolean rejected,
                              boolean sharedUnlikeIndexed, boolean allRemembered) {
    }

    private static boolean anyShared(List<FileOwner> owners) {
        for (FileOwner owner : owners) {
            if (owner.shared()) {
                return true;
            }
        }
        return false;
    }

    private static void checkRange(long from, long to) {
        if (from < 0 || to <= from) {
            throw new IllegalArgumentException("range must be non-empty, was [" + from + ", " + to + ")");
        }
    }

    /** Stops the build thread (see the class comment), fails waiting queries, refuses further confirmations. */
    @Override
    public void close() throws IOException {
        try {
            builds.close();
        } finally {
            try {
                confirmation.close();
            } finally {
                try {
                    facts.close();
                } finally {
                    readAhead.close();
                }
            }
        }
    }
}
