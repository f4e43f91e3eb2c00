package io.daxguard.agent.route;

import io.daxguard.agent.failure.DamageListener;
import io.daxguard.agent.failure.ProcessingResult;

import io.daxguard.agent.failure.FailureTuple;
import io.daxguard.agent.ledger.AffectedOwner;
import io.daxguard.agent.ledger.Damage;
import io.daxguard.agent.ledger.DamageLedger;
import io.daxguard.agent.ledger.DamageRecord;
import io.daxguard.agent.ledger.FilesystemRef;
import io.daxguard.agent.plugins.AttachedFilesystem;
import io.daxguard.agent.plugins.Filesystems;
import io.daxguard.agent.topology.BlockDevice;
import io.daxguard.agent.topology.Topology;
import io.daxguard.agent.topology.TopologyReader;
import io.daxguard.spi.FailureRange;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.Holder;
import io.daxguard.spi.Owner;
import io.daxguard.spi.UnknownOwner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The path of a failure tuple: topology, routing, the holder's reverse map, paths, ledger, listeners.
 *
 * <p>Threads: one router thread, owned here, processes tuples one at a time, so the ledger has one writer
 * and records are announced in order. {@link #resolve} (a query that records nothing) runs on the caller's
 * thread. {@link #close} stops the router after the tuples already submitted.
 */
public final class FailureProcessor implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(FailureProcessor.class.getName());
    /** Loop devices on files on loop devices...: how deep a failure is followed into stacked filesystems. */
    private static final int MAX_STACK_DEPTH = 4;

    private final TopologyReader topologyReader;
    private final Filesystems filesystems;
    private final DamageLedger ledger;
    private final List<DamageListener> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService router = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "daxguard-router");
        thread.setDaemon(true);
        return thread;
    });
    /** Walks directory trees ahead of the path questions that will need them. */
    private final ExecutorService pathWalker = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "daxguard-path-walker");
        thread.setDaemon(true);
        return thread;
    });
    private final UnknownOwners unknownOwners;
    private final IndexReadyWatch indexReady = new IndexReadyWatch(this::lookAgainAtUnknownOwners);
    private final AtomicInteger pending = new AtomicInteger();
    private volatile Topology topology;
    private volatile String mountTableText = "";

    public FailureProcessor(TopologyReader topologyReader, Filesystems filesystems, DamageLedger ledger)
            throws IOException {
        this.topologyReader = topologyReader;
        this.filesystems = filesystems;
        this.ledger = ledger;
        this.unknownOwners = new UnknownOwners(this, ledger, router);
        refreshTopology();
    }

    public void addListener(DamageListener listener) {
        listeners.add(listener);
    }

    /** The current topology snapshot. */
    public Topology topology() {
        return topology;
    }

    /** Re-reads devices and mounts and attaches or detaches filesystems; returns the new snapshot. */
    public synchronized Topology refreshTopology() throws IOException {
        mountTableText = topologyReader.mountTableText();
        topology = topologyReader.read();
        filesystems.sync(topology).forEach(indexReady::watch);
        Topology snapshot = topology;
        announce(listener -> listener.topologyChanged(snapshot));
        return snapshot;
    }

    private Topology refreshIfChanged(String deviceWanted) throws IOException {
        if (!topologyReader.mountTableText().equals(mountTableText) || topology.find(deviceWanted).isEmpty()) {
            return refreshTopology();
        }
        return topology;
    }

    /**
     * Queues a tuple for the router thread. The future completes once every record the tuple made is durable
     * and announced: a storm is committed in batches while the router goes on routing.
     */
    public CompletableFuture<ProcessingResult> submit(FailureTuple tuple) {
        pending.incrementAndGet();
        return CompletableFuture.supplyAsync(() -> {
            try {
                return process(tuple);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                pending.decrementAndGet();
            }
        }, router).thenCompose(pending -> pending);
    }

    /** Tuples submitted and not yet processed (the {@code queue.depth} gauge). */
    public int pending() {
        return pending.get();
    }

    private CompletableFuture<ProcessingResult> process(FailureTuple tuple) throws IOException {
        return process(tuple, 0);
    }

    private CompletableFuture<ProcessingResult> process(FailureTuple tuple, int depth) throws IOException {
        announce(listener -> listener.received(tuple));
        Topology current = refreshIfChanged(tuple.device());
        BlockDevice device = current.find(tuple.device())
                .orElseThrow(() -> new IllegalArgumentException("device: no block device \"" + tuple.device() + "\""));
        if (tuple.offset() + tuple.length() > device.size()) {
            // A loop device re-attached (or resized) since the snapshot keeps its name: look again once.
            current = refreshTopology();
            device = current.find(tuple.device())
                    .orElseThrow(() -> new IllegalArgumentException("device: no block device \"" + tuple.device() + "\""));
        }
        if (tuple.offset() + tuple.length() > device.size()) {
            throw new IllegalArgumentException("range: bytes " + tuple.offset() + "+" + tuple.length()
                    + " go past the end of " + device.name() + " (" + device.size() + " bytes)");
        }
        List<CompletableFuture<DamageRecord>> recorded = new ArrayList<>();
        List<CompletableFuture<ProcessingResult>> stacked = new ArrayList<>();
        List<DamageRecord> known = new ArrayList<>();
        for (RoutedRange piece : Router.route(current, device, tuple.offset(), tuple.length())) {
            var existing = ledger.findOpenCovering(piece.device().number(), piece.offset(), piece.length());
            List<AffectedOwner> owners = null;
            if (existing.isPresent() && piece.mount().isPresent()) {
                // Files change owners (deleted, rewritten away from a shared block, blocks reused): the damage is
                // only known if the record names, open, every file that owns the range now, and had files only
                // if some file still owns it.
                owners = owners(piece, tuple);
                Set<List<Long>> now = fileIds(owners, false);
                Set<List<Long>> named = fileIds(existing.get().owners(), true);
                if (!named.containsAll(now) || (now.isEmpty() && !named.isEmpty())) {
                    existing = Optional.empty();
                }
            }
            if (existing.isPresent()) {
                DamageRecord again = ledger.seenAgain(existing.get().id(), tuple.observedAt());
                known.add(again);
                announce(listener -> listener.seenAgain(again));
                continue;
            }
            if (owners == null) {
                owners = piece.mount().isPresent() ? owners(piece, tuple) : List.of();
            }
            // Announced only once durable; the ledger completes futures in the order records were made.
            recorded.add(ledger.recordAsync(new Damage(piece.device().number(), piece.device().name(),
                    piece.offset(), piece.length(), tuple.errno(), tuple.source(), tuple.observedAt(), owners))
                    .thenApply(record -> {
                        announce(listener -> listener.recorded(record));
                        return record;
                    }));
            if (depth < MAX_STACK_DEPTH) {
                stacked.addAll(routeStacked(current, piece, owners, tuple, depth));
            }
        }
        List<CompletableFuture<?>> all = new ArrayList<>(recorded);
        all.addAll(stacked);
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).thenApply(done -> {
            List<DamageRecord> records = new ArrayList<>(recorded.stream().map(CompletableFuture::join).toList());
            for (CompletableFuture<ProcessingResult> inner : stacked) {
                records.addAll(inner.join().recorded());
                known.addAll(inner.join().alreadyKnown());
            }
            return new ProcessingResult(records, known);
        });
    }

    /**
     * Stacked devices: a damaged file that backs a loop device damages that loop device's range too; that
     * range is routed again, on this thread, so the result names the files of the inner filesystem.
     */
    private List<CompletableFuture<ProcessingResult>> routeStacked(Topology current, RoutedRange piece,
                                                                   List<AffectedOwner> owners, FailureTuple tuple,
                                                                   int depth) {
        List<CompletableFuture<ProcessingResult>> nested = new ArrayList<>();
        for (AffectedOwner affected : owners) {
            if (!(affected.owner() instanceof FileOwner file)) {
                continue;
            }
            for (FailureTuple inner : LoopStacking.innerTuples(current, piece.device().number(), file, tuple)) {
                try {
                    nested.add(process(inner, depth + 1));
                } catch (IOException | RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "could not route " + inner.device() + " bytes " + inner.offset()
                            + "+" + inner.length() + " (inside " + tuple.device() + "): " + e.getMessage());
                }
            }
        }
        return nested;
    }

    /**
     * The owners of a routed piece. When the reverse map itself fails (a media error in the filesystem's own
     * btrees is exactly when it may), the damage is still recorded, with an unknown owner saying why.
     */
    private List<AffectedOwner> owners(RoutedRange piece, FailureTuple tuple) {
        var filesystem = filesystems.on(piece.device().number());
        if (filesystem.isEmpty() || filesystem.get().holder().isEmpty()) {
            return List.of();
        }
        FailureRange range = new FailureRange(piece.offset(), piece.length(), tuple.errno(), tuple.flags());
        try {
            return resolve(filesystem.get(), range);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "owners of " + piece.device().name() + " bytes " + piece.offset()
                    + "+" + piece.length() + " could not be found; recorded as unknown", e);
            return List.of(new AffectedOwner(filesystem.get().reference(), new UnknownOwner(piece.offset(),
                    piece.length(), "the reverse map failed: " + e), List.of()));
        }
    }

    /** (inode, generation) of the file owners, only the open ones if asked. */
    private static Set<List<Long>> fileIds(List<AffectedOwner> owners, boolean openOnly) {
        Set<List<Long>> ids = new java.util.HashSet<>();
        for (AffectedOwner owner : owners) {
            if (owner.file().isPresent() && (!openOnly || owner.open())) {
                ids.add(List.of(owner.file().get().inode(), owner.file().get().generation()));
            }
        }
        return ids;
    }

    /** Tells every listener; one that throws is logged and does not keep the others, or the tuple, from going on. */
    private void announce(Consumer<DamageListener> event) {
        for (DamageListener listener : listeners) {
            try {
                event.accept(listener);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "a damage listener failed: " + e, e);
            }
        }
    }

    /**
     * Every owner of a filesystem-relative range, with paths, recording nothing.
     *
     * @throws IllegalStateException when no plugin holds the filesystem
     */
    public List<AffectedOwner> resolve(AttachedFilesystem filesystem, FailureRange range) throws IOException {
        return resolveAll(filesystem, List.of(range)).get(0);
    }

    /**
     * {@link #resolve} for many ranges of one filesystem: one batch for the holder and one path lookup for
     * every inode of every range.
     */
    public List<List<AffectedOwner>> resolveAll(AttachedFilesystem filesystem, List<FailureRange> ranges)
            throws IOException {
        Holder holder = filesystem.holder().orElseThrow(() -> new IllegalStateException(
                filesystem.mount().mountPoint() + " is not held: " + filesystem.refusal().orElse("")));
        if (ranges.size() > 1) {
            filesystem.paths().walkAheadOn(pathWalker);
        }
        List<List<Owner>> answers = holder.notifyFailures(ranges);
        Set<Long> inodes = new LinkedHashSet<>();
        for (List<Owner> owners : answers) {
            for (Owner owner : owners) {
                if (owner instanceof FileOwner file) {
                    inodes.add(file.inode());
                }
            }
        }
        Map<Long, List<String>> paths = inodes.isEmpty() ? Map.of() : pathsOrNone(filesystem, inodes);
        FilesystemRef reference = filesystem.reference();
        List<List<AffectedOwner>> affected = new ArrayList<>(answers.size());
        for (List<Owner> owners : answers) {
            List<AffectedOwner> named = new ArrayList<>(owners.size());
            for (Owner owner : owners) {
                List<String> names = owner instanceof FileOwner file ? paths.getOrDefault(file.inode(), List.of())
                        : List.of();
                named.add(new AffectedOwner(reference, owner, names));
            }
            affected.add(named);
        }
        return affected;
    }

    /**
     * Looks again at the open unknown owners of {@code filesystem}'s records (see {@link UnknownOwners}), waiting on
     * the calling thread; what {@link IndexReadyWatch} runs once an index is ready.
     *
     * @return how many unknown owners were superseded
     */
    public int lookAgainAtUnknownOwners(AttachedFilesystem filesystem) throws InterruptedException, ExecutionException {
        return unknownOwners.lookAgain(filesystem);
    }

    /** Tells every listener of a record made outside {@link #submit} (on the ledger's writer thread, once durable). */
    void announceRecorded(DamageRecord record) {
        announce(listener -> listener.recorded(record));
    }

    /** Names are a help, not the answer: when the walk fails (a damaged directory), owners go without them. */
    private static Map<Long, List<String>> pathsOrNone(AttachedFilesystem filesystem, Set<Long> inodes) {
        try {
            return filesystem.paths().pathsOf(inodes);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "names of " + inodes.size() + " inode(s) in "
                    + filesystem.mount().mountPoint() + " could not be found: " + e);
            return Map.of();
        }
    }

    public Filesystems filesystems() {
        return filesystems;
    }

    @Override
    public void close() {
        indexReady.close();
        pathWalker.shutdownNow();
        router.shutdown();
        try {
            if (!router.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "router thread did not finish its queue in 10 s; stopping it");
                router.shutdownNow();
            }
        } catch (InterruptedException e) {
            router.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
