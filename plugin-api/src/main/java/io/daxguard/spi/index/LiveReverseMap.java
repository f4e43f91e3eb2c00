package io.daxguard.spi.index;

import io.daxguard.spi.FileOwner;
import io.daxguard.spi.Owner;
import io.daxguard.spi.UnknownOwner;
import io.daxguard.spi.linux.InodeCounts;
import io.daxguard.spi.linux.NativeFile;
import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A reverse map for a filesystem that keeps none: an {@link ExtentIndex} proposes owners, the live file
 * confirms each before it is reported, and a stale index is rebuilt rather than trusted.
 *
 * <p><b>Threads.</b> The map owns one daemon thread, {@code daxguard-index <root>}, created by {@link #start}:
 * it runs the first build at once and every refresh after. Queries run on the caller's threads, any number at
 * once; a query that needs a refresh waits for a build that <em>started after the query did</em> (concurrent
 * queries share it). {@link #close} sets a flag the builder polls between files, interrupts the thread, joins
 * it (up to 30 s), and fails every waiting query with an {@link IOException}.
 *
 * <p><b>Staleness.</b> A refresh is a full rebuild (walk + FIEMAP); it is triggered by a query when the index
 * predates the query and either a proposed owner fails confirmation (the file was truncated, deleted,
 * replaced, its blocks moved) or part of an allocated range has no confirmed owner (a file created or grown
 * since). Ranges still unexplained by a fresh index are remembered for that index so they do not trigger a
 * rebuild on every query (they are blocks no file maps through FIEMAP: long symlinks, for example).
 */
public final class LiveReverseMap implements Closeable {
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(30);

    private final Path root;
    private final ExtraExtentSource extras;
    private final InodeScanner scanner;
    private final System.Logger logger;
    private final Consumer<IndexBuildProgress> listener;
    private final LiveConfirmation confirmation;
    private final Thread thread;
    private final BlockingQueue<CompletableFuture<ExtentIndex>> requests = new LinkedBlockingQueue<>();
    private final CountDownLatch firstBuild = new CountDownLatch(1);
    private final Object lock = new Object();
    private final Set<CompletableFuture<ExtentIndex>> pending = new HashSet<>();
    private final UnexplainedRanges unexplained = new UnexplainedRanges();
    private volatile ExtentIndex current;
    private volatile IndexBuildProgress progress = IndexBuildProgress.starting();
    private volatile boolean closed;
    private CompletableFuture<ExtentIndex> latest;
    private long latestScheduledNanos;

    private LiveReverseMap(Path root, ExtraExtentSource extras, InodeScanner scanner, System.Logger logger,
                           Consumer<IndexBuildProgress> listener) {
        this.root = Objects.requireNonNull(root, "root is null");
        this.extras = Objects.requireNonNull(extras, "extras is null");
        this.scanner = scanner;
        this.logger = Objects.requireNonNull(logger, "logger is null");
        this.listener = Objects.requireNonNull(listener, "listener is null");
        this.confirmation = new LiveConfirmation(extras);
        this.thread = new Thread(this::runBuilds, "daxguard-index " + root);
        this.thread.setDaemon(true);
    }

    /** The body of the map's own thread: one build per request, until closed. */
    private void runBuilds() {
        while (!closed) {
            CompletableFuture<ExtentIndex> build;
            try {
                build = requests.take();
            } catch (InterruptedException e) {
                continue; // close() interrupts after setting closed
            }
            runBuild(build);
        }
    }

    /**
     * Starts building the index of the tree under {@code root} (a mount point) on the map's own thread and
     * returns at once.
     *
     * @param listener hears progress on the build thread; must return quickly
     */
    public static LiveReverseMap start(Path root, ExtraExtentSource extras, System.Logger logger,
                                       Consumer<IndexBuildProgress> listener) {
        return start(root, extras, null, logger, listener);
    }

    /**
     * As {@link #start(Path, ExtraExtentSource, System.Logger, Consumer)}, with files and extents from a
     * filesystem-specific {@link InodeScanner} instead of FIEMAP per file ({@code scanner} may be null).
     */
    public static LiveReverseMap start(Path root, ExtraExtentSource extras, InodeScanner scanner,
                                       System.Logger logger, Consumer<IndexBuildProgress> listener) {
        LiveReverseMap map = new LiveReverseMap(root, extras, scanner, logger, listener);
        map.thread.start();
        map.refreshStartedAfter(System.nanoTime());
        return map;
    }

    /** Where the build is. */
    public IndexBuildProgress progress() {
        return progress;
    }

    /** Waits until the first build finished (or failed, or the map closed); true if an index is ready. */
    public boolean awaitIndex(Duration timeout) throws InterruptedException {
        return firstBuild.await(timeout.toNanos(), TimeUnit.NANOSECONDS) && current != null;
    }

    /** The current snapshot, once the first build finished. Proposals only: confirm before reporting. */
    public Optional<ExtentIndex> index() {
        return Optional.ofNullable(current);
    }

    /** Every known path of the inode (all hard links), from the current index; empty if unknown. */
    public List<Path> pathsOf(long inode) {
        ExtentIndex index = current;
        return index == null ? List.of() : index.pathsOf(inode);
    }

    /**
     * The owners of a range the filesystem says is allocated but cannot name (GETFSMAP's {@code OWN_UNKNOWN}):
     * confirmed {@link FileOwner}s, and an {@link UnknownOwner} with the reason for every byte none confirms,
     * in physical order. Inline extents are left out: they live in inode tables, see {@link #inlineOwners}.
     */
    public List<Owner> ownersOfAllocated(long from, long to) throws IOException {
        return ownersOfAllocated(from, to, System.nanoTime());
    }

    /**
     * As {@link #ownersOfAllocated(long, long)} for one part of a larger question asked at {@code askedNanos}
     * ({@link System#nanoTime()}): every part of one failure shares it, so the index is rebuilt at most once
     * per failure however many parts it has.
     */
    public List<Owner> ownersOfAllocated(long from, long to, long askedNanos) throws IOException {
        checkRange(from, to);
        long asked = askedNanos;
        ExtentIndex index = current;
        if (index == null) {
            return List.of(new UnknownOwner(from, to - from, notReadyReason()));
        }
        Resolution resolution = resolve(index, from, to, false);
        boolean stale = resolution.rejected || !unexplained.coversAll(index, resolution.gaps);
        if (stale && index.startedNanos() < asked) {
            index = refreshedSince(asked);
            resolution = resolve(index, from, to, false);
            unexplained.remember(index, resolution.gaps);
        }
        List<Owner> owners = new ArrayList<>(resolution.owners);
        for (long[] gap : resolution.gaps) {
            owners.add(new UnknownOwner(gap[0], gap[1] - gap[0], "allocated, but no file maps it through FIEMAP "
                    + "(for example a long symlink's block, or a block freed and reused while the index was rebuilt)"));
        }
        owners.sort(Comparator.comparingLong(Owner::physicalOffset));
        return owners;
    }

    /**
     * The confirmed owners of {@code [from, to)} if they account for every byte of it, without asking the
     * filesystem anything else and without refreshing: a byte a live file maps is that file's, so a caller can
     * answer from this alone and skip its own allocation lookup (GETFSMAP). Empty when the index is not ready,
     * a proposal failed, or any byte is unexplained; the caller then takes its full path.
     */
    public Optional<List<FileOwner>> ownersIfAllConfirmed(long from, long to) throws IOException {
        checkRange(from, to);
        ExtentIndex index = current;
        if (index == null) {
            return Optional.empty();
        }
        Resolution resolution = resolve(index, from, to, false);
        return resolution.rejected || !resolution.gaps.isEmpty() ? Optional.empty() : Optional.of(resolution.owners);
    }

    /**
     * Files whose data or attributes live inside inodes stored in {@code [from, to)} (ext4 inline data),
     * confirmed. The index is refreshed first if it predates the call, since no allocation map can say
     * whether an inode table holds inline data the index does not know of.
     */
    public List<FileOwner> inlineOwners(long from, long to) throws IOException {
        return inlineOwners(from, to, System.nanoTime());
    }

    /** As {@link #inlineOwners(long, long)}, for one part of a question asked at {@code askedNanos}. */
    public List<FileOwner> inlineOwners(long from, long to, long askedNanos) throws IOException {
        checkRange(from, to);
        long asked = askedNanos;
        ExtentIndex index = current;
        if (index == null) {
            return List.of();
        }
        if (index.startedNanos() < asked) {
            index = refreshedSince(asked);
        }
        return resolve(index, from, to, true).owners;
    }

    private Resolution resolve(ExtentIndex index, long from, long to, boolean inline) throws IOException {
        Map<FileOwner, FileOwner> owners = new LinkedHashMap<>();
        boolean rejected = false;
        for (IndexedExtent candidate : index.overlapping(from, to)) {
            if (candidate.isInline() != inline) {
                continue;
            }
            List<FileOwner> confirmed = confirmation.confirm(index, candidate, from, to);
            long wanted = Math.min(to, candidate.physicalEnd()) - Math.max(from, candidate.physical());
            long got = confirmed.stream().mapToLong(FileOwner::length).sum();
            rejected |= got < wanted;
            for (FileOwner owner : confirmed) {
                // The same bytes found twice (FIEMAP and an extra source): one owner, flags combined.
                FileOwner key = new FileOwner(owner.inode(), owner.generation(), owner.fork(), owner.fileOffset(),
                        owner.physicalOffset(), owner.length(), false, false);
                owners.merge(key, owner, (a, b) -> new FileOwner(a.inode(), a.generation(), a.fork(), a.fileOffset(),
                        a.physicalOffset(), a.length(), a.shared() || b.shared(), a.unwritten() || b.unwritten()));
            }
        }
        List<FileOwner> list = new ArrayList<>(owners.values());
        list.sort(Comparator.comparingLong(FileOwner::physicalOffset));
        return new Resolution(list, inline ? List.of() : gaps(list, from, to), rejected);
    }

    private static List<long[]> gaps(List<FileOwner> owners, long from, long to) {
        List<long[]> gaps = new ArrayList<>();
        long covered = from;
        for (FileOwner owner : owners) {
            if (owner.physicalOffset() > covered) {
                gaps.add(new long[] {covered, owner.physicalOffset()});
            }
            covered = Math.max(covered, owner.physicalEnd());
        }
        if (covered < to) {
            gaps.add(new long[] {covered, to});
        }
        return gaps;
    }

    private record Resolution(List<FileOwner> owners, List<long[]> gaps, boolean rejected) {
    }

    private String notReadyReason() {
        IndexBuildProgress now = progress;
        if (now.state() == IndexBuildProgress.State.FAILED) {
            return "reverse-map index could not be built: " + now.failure();
        }
        if (now.state() == IndexBuildProgress.State.CLOSED) {
            return "reverse-map index closed";
        }
        return "reverse-map index being built, " + now.percentDone() + "% done; ask again when it is ready";
    }

    /** Waits for an index whose build started at or after {@code asked} (System.nanoTime). */
    private ExtentIndex refreshedSince(long asked) throws IOException {
        CompletableFuture<ExtentIndex> build = refreshStartedAfter(asked);
        try {
            return build.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for the index of " + root);
        } catch (ExecutionException e) {
            throw new IOException("refreshing the index of " + root + " failed", e.getCause());
        } catch (CancellationException e) {
            throw new IOException("the index of " + root + " was closed", e);
        }
    }

    private CompletableFuture<ExtentIndex> refreshStartedAfter(long asked) {
        synchronized (lock) {
            if (latest != null && latestScheduledNanos >= asked && !latest.isCompletedExceptionally()) {
                return latest;
            }
            CompletableFuture<ExtentIndex> build = new CompletableFuture<>();
            if (closed) {
                build.cancel(false);
                return build;
            }
            latestScheduledNanos = System.nanoTime();
            latest = build;
            pending.add(build);
            requests.add(build);
            return build;
        }
    }

    private void runBuild(CompletableFuture<ExtentIndex> build) {
        try (NativeFile mountPoint = NativeFile.openDirectory(root)) {
            long expected = InodeCounts.of(mountPoint).used();
            long builds = progress.builds();
            boolean first = current == null;
            logger.log(System.Logger.Level.INFO, (first ? "building" : "refreshing") + " the reverse-map index of "
                    + root + " (~" + expected + " inodes in use)");
            int[] loggedTenth = {0};
            ExtentIndexBuilder.ProgressListener heard = new ExtentIndexBuilder.ProgressListener() {
                @Override
                public void progress(long directories, long files, long extents) {
                    publish(new IndexBuildProgress(current == null ? IndexBuildProgress.State.BUILDING
                            : IndexBuildProgress.State.READY, builds, directories, files, extents, expected, ""));
                    int tenth = expected == 0 ? 0 : (int) Math.min(9, files * 10 / expected);
                    if (first && tenth > loggedTenth[0]) {
                        loggedTenth[0] = tenth;
                        logger.log(System.Logger.Level.INFO, "reverse-map index of " + root + ": " + progress);
                    }
                }

                @Override
                public void scannerFailed(IOException failure) {
                    logger.log(System.Logger.Level.WARNING, "scanning the inodes of " + root + " failed ("
                            + failure.getMessage() + "); building the index with FIEMAP per file instead");
                }
            };
            ExtentIndexBuilder builder = new ExtentIndexBuilder(root, extras, scanner,
                    () -> closed || Thread.interrupted(), heard);
            ExtentIndex index = builder.build();
            current = index;
            publish(new IndexBuildProgress(IndexBuildProgress.State.READY, builds + 1, progress.directories(),
                    index.fileCount(), index.extentCount(), expected, ""));
            logger.log(System.Logger.Level.INFO, "reverse-map index of " + root + " ready: " + index.fileCount()
                    + " files, " + index.extentCount() + " extents, ~" + index.memoryBytes() / 1024 + " KiB, built in "
                    + index.buildTime().toMillis() + " ms");
            finish(build, index, null);
        } catch (Throwable e) {
            if (!closed) {
                logger.log(System.Logger.Level.WARNING, "building the reverse-map index of " + root + " failed", e);
                if (current == null) {
                    publish(new IndexBuildProgress(IndexBuildProgress.State.FAILED, progress.builds(), 0, 0, 0, 0,
                            String.valueOf(e.getMessage())));
                }
            }
            finish(build, null, e);
            if (e instanceof Error error) {
                throw error;
            }
        } finally {
            firstBuild.countDown();
        }
    }

    private void finish(CompletableFuture<ExtentIndex> build, ExtentIndex index, Throwable failure) {
        synchronized (lock) {
            pending.remove(build);
        }
        if (failure == null) {
            build.complete(index);
        } else {
            build.completeExceptionally(failure);
        }
    }

    private void publish(IndexBuildProgress now) {
        if (closed) {
            return;
        }
        progress = now;
        try {
            listener.accept(now);
        } catch (RuntimeException e) {
            logger.log(System.Logger.Level.WARNING, "index progress listener failed", e);
        }
    }

    private static void checkRange(long from, long to) {
        if (from < 0 || to <= from) {
            throw new IllegalArgumentException("range must be non-empty, was [" + from + ", " + to + ")");
        }
    }

    /** Stops the build thread (see the class comment) and fails waiting queries. */
    @Override
    public void close() throws IOException {
        List<CompletableFuture<ExtentIndex>> waiting;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            waiting = new ArrayList<>(pending);
            pending.clear();
        }
        thread.interrupt();
        try {
            thread.join(CLOSE_WAIT.toMillis());
            if (thread.isAlive()) {
                logger.log(System.Logger.Level.WARNING, "index thread of " + root + " did not stop in " + CLOSE_WAIT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            confirmation.close();
            waiting.forEach(build -> build.cancel(false));
            progress = new IndexBuildProgress(IndexBuildProgress.State.CLOSED, progress.builds(), 0, 0, 0, 0, "");
            firstBuild.countDown();
        }
    }
}
