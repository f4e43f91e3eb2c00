package io.daxguard.agent.route;

import io.daxguard.agent.ingest.FailureTuple;
import io.daxguard.agent.ingest.LoopStacking;
import io.daxguard.agent.ledger.AffectedOwner;
import io.daxguard.agent.ledger.Damage;
import io.daxguard.agent.ledger.DamageLedger;
import io.daxguard.agent.ledger.DamageRecord;
import io.daxguard.agent.plugins.AttachedFilesystem;
import io.daxguard.agent.plugins.Filesystems;
import io.daxguard.agent.topology.BlockDevice;
import io.daxguard.agent.topology.Topology;
import io.daxguard.agent.topology.TopologyReader;
import io.daxguard.spi.FailureRange;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.Holder;
import io.daxguard.spi.Owner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The path of a failure tuple: topology, routing, the holder's reverse map, paths, ledger, listeners.
 *
 * <p>Threads: one router thread, owned here, processes tuples one at a time, so the ledger has one writer
 * and records are announced in order. {@link #resolve} (a query that records nothing) runs on the caller's
 * thread. {@link #close} stops the router after the tuples already submitted.
 */
public final class FailureProcessor implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(FailureProcessor.class.getName());
    /** How many loop devices deep a failure is followed (an image inside an image inside ...). */
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
    private volatile Topology topology;
    private volatile String mountTableText = "";

    public FailureProcessor(TopologyReader topologyReader, Filesystems filesystems, DamageLedger ledger)
            throws IOException {
        this.topologyReader = topologyReader;
        this.filesystems = filesystems;
        this.ledger = ledger;
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
        filesystems.sync(topology);
        Topology snapshot = topology;
        listeners.forEach(listener -> listener.topologyChanged(snapshot));
        return snapshot;
    }

    private Topology refreshIfChanged(String deviceWanted) throws IOException {
        if (!topologyReader.mountTableText().equals(mountTableText) || topology.find(deviceWanted).isEmpty()) {
            return refreshTopology();
        }
        return topology;
    }

    /** Queues a tuple for the router thread. */
    public CompletableFuture<ProcessingResult> submit(FailureTuple tuple) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return process(tuple);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, router);
    }

    private ProcessingResult process(FailureTuple tuple) throws IOException {
        return process(tuple, 0);
    }

    private ProcessingResult process(FailureTuple tuple, int depth) throws IOException {
        listeners.forEach(listener -> listener.received(tuple));
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
        List<DamageRecord> recorded = new ArrayList<>();
        List<DamageRecord> known = new ArrayList<>();
        for (RoutedRange piece : Router.route(current, device, tuple.offset(), tuple.length())) {
            var existing = ledger.findOpenCovering(piece.device().number(), piece.offset(), piece.length());
            if (existing.isPresent()) {
                DamageRecord again = ledger.seenAgain(existing.get().id(), tuple.observedAt());
                known.add(again);
                listeners.forEach(listener -> listener.seenAgain(again));
                continue;
            }
            List<AffectedOwner> owners = piece.mount().isPresent()
                    ? owners(filesystems.on(piece.device().number()), piece, tuple)
                    : List.of();
            DamageRecord record = ledger.record(new Damage(piece.device().number(), piece.device().name(),
                    piece.offset(), piece.length(), tuple.errno(), tuple.source(), tuple.observedAt(), owners));
            recorded.add(record);
            listeners.forEach(listener -> listener.recorded(record));
            if (depth < MAX_STACK_DEPTH) {
                routeStacked(current, piece, record, tuple, depth, recorded, known);
            }
        }
        return new ProcessingResult(recorded, known);
    }

    /**
     * Stacked devices: a damaged file that backs a loop device damages that loop device's range too; that
     * range is routed again, on this thread, so the result names the files of the inner filesystem.
     */
    private void routeStacked(Topology current, RoutedRange piece, DamageRecord record, FailureTuple tuple, int depth,
                              List<DamageRecord> recorded, List<DamageRecord> known) {
        for (AffectedOwner affected : record.owners()) {
            if (!(affected.owner() instanceof FileOwner file)) {
                continue;
            }
            for (FailureTuple inner : LoopStacking.innerTuples(current, piece.device().number(), file, tuple)) {
                try {
                    ProcessingResult nested = process(inner, depth + 1);
                    recorded.addAll(nested.recorded());
                    known.addAll(nested.alreadyKnown());
                } catch (IOException | RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "could not route " + inner.device() + " bytes " + inner.offset()
                            + "+" + inner.length() + " (inside " + tuple.device() + "): " + e.getMessage());
                }
            }
        }
    }

    private List<AffectedOwner> owners(java.util.Optional<AttachedFilesystem> filesystem, RoutedRange piece,
                                       FailureTuple tuple) throws IOException {
        if (filesystem.isEmpty() || filesystem.get().holder().isEmpty()) {
            return List.of();
        }
        FailureRange range = new FailureRange(piece.offset(), piece.length(), tuple.errno(), tuple.flags());
        return resolve(filesystem.get(), range);
    }

    /**
     * Every owner of a filesystem-relative range, with paths, recording nothing.
     *
     * @throws IllegalStateException when no plugin holds the filesystem
     */
    public List<AffectedOwner> resolve(AttachedFilesystem filesystem, FailureRange range) throws IOException {
        Holder holder = filesystem.holder().orElseThrow(() -> new IllegalStateException(
                filesystem.mount().mountPoint() + " is not held: " + filesystem.refusal().orElse("")));
        List<Owner> owners = holder.notifyFailure(range);
        Set<Long> inodes = new LinkedHashSet<>();
        for (Owner owner : owners) {
            if (owner instanceof FileOwner file) {
                inodes.add(file.inode());
            }
        }
        Map<Long, List<String>> paths = inodes.isEmpty() ? Map.of() : filesystem.paths().pathsOf(inodes);
        List<AffectedOwner> affected = new ArrayList<>(owners.size());
        for (Owner owner : owners) {
            List<String> names = owner instanceof FileOwner file ? paths.getOrDefault(file.inode(), List.of()) : List.of();
            affected.add(new AffectedOwner(filesystem.reference(), owner, names));
        }
        return affected;
    }

    public Filesystems filesystems() {
        return filesystems;
    }

    @Override
    public void close() {
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
