package io.daxguard.agent.route;

import io.daxguard.agent.failure.DamageEvents;
import io.daxguard.agent.failure.FailureTuple;
import io.daxguard.agent.failure.ProcessingResult;
import io.daxguard.agent.ledger.AffectedOwner;
import io.daxguard.agent.ledger.AuditEntry;
import io.daxguard.agent.ledger.DamageState;
import io.daxguard.agent.ledger.FileKey;
import io.daxguard.agent.ledger.StateChange;
import io.daxguard.agent.ledger.Damage;
import io.daxguard.agent.ledger.DamageLedger;
import io.daxguard.agent.ledger.DamageRecord;
import io.daxguard.agent.owners.OwnerLookup;
import io.daxguard.agent.topology.Topology;
import io.daxguard.spi.FailureRange;
import io.daxguard.spi.FileOwner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The router: takes each failure tuple through topology, routing, known damage, owners and the ledger, one at a
 * time, and tells {@link DamageEvents} what happened.
 *
 * <pre>
 * tuple -> LiveTopology (the device, whole) -> Router (cut at partitions) -> for each piece:
 *          open record covering it, same disk, same filesystem (UUID), same owners now?  (StillKnown)
 *                yes -> seen again
 *                no  -> OwnerLookup -> ledger.recordAsync (owners of the old record that no longer hold the
 *                       bytes are superseded by it)
 *          -> LoopStacking: a damaged loop backing file routes the loop device's range again (at most 4 deep)
 * </pre>
 *
 * <p>Threads: one {@code daxguard-router} thread, owned here, so the ledger has one writer order and records are
 * announced in order. {@link #route} returns at once; its future completes once every record the tuple made is
 * durable and announced, so a storm is committed in batches while the router goes on routing. {@link #close}
 * stops the thread after the tuples already queued (bounded: 10 s).
 */
public final class FailureRouter implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(FailureRouter.class.getName());
    /** Loop devices on files on loop devices...: how deep a failure is followed into stacked filesystems. */
    private static final int MAX_STACK_DEPTH = 4;

    private final LiveTopology topology;
    private final OwnerLookup owners;
    private final DamageLedger ledger;
    private final DamageEvents events;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(runnable -> {
        Thread router = new Thread(runnable, "daxguard-router");
        router.setDaemon(true);
        return router;
    });
    private final AtomicInteger pending = new AtomicInteger();

    public FailureRouter(LiveTopology topology, OwnerLookup owners, DamageLedger ledger, DamageEvents events) {
        this.topology = topology;
        this.owners = owners;
        this.ledger = ledger;
        this.events = events;
    }

    /** Queues a tuple for the router thread; the future completes once what it made is durable and announced. */
    public CompletableFuture<ProcessingResult> route(FailureTuple tuple) {
        pending.incrementAndGet();
        try {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    return process(tuple, 0);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                } finally {
                    pending.decrementAndGet();
                }
            }, thread).thenCompose(made -> made);
        } catch (RejectedExecutionException stopping) {
            pending.decrementAndGet();
            return CompletableFuture.failedFuture(new IllegalStateException("the router is stopped: " + tuple.device()
                    + " bytes " + tuple.offset() + "+" + tuple.length() + " not routed"));
        }
    }

    /**
     * Runs {@code work} on the router thread after the tuples already queued, so records it makes keep the ledger's
     * one writer order (the look again at unknown owners).
     */
    public <T> CompletableFuture<T> afterQueued(Supplier<T> work) {
        return CompletableFuture.supplyAsync(work, thread);
    }

    /** Tuples queued and not yet routed (the {@code queue.depth} gauge). */
    public int pending() {
        return pending.get();
    }

    private CompletableFuture<ProcessingResult> process(FailureTuple tuple, int depth) throws IOException {
        events.received(tuple);
        LiveTopology.Routing routing = topology.deviceFor(tuple.device(), tuple.offset(), tuple.length());
        List<CompletableFuture<DamageRecord>> recorded = new ArrayList<>();
        List<CompletableFuture<ProcessingResult>> stacked = new ArrayList<>();
        List<DamageRecord> known = new ArrayList<>();
        List<CompletableFuture<?>> superseded = new ArrayList<>();
        // A disk fails whole logical blocks: a 512-byte sector reported on a 4Kn disk is its whole 4 KiB block, or the
        // record would say less is bad than a repair must rewrite.
        long block = topology.logicalBlockSize(routing.device());
        long start = Math.floorDiv(tuple.offset(), block) * block;
        long end = Math.floorDiv(tuple.offset() + tuple.length() + block - 1, block) * block;
        if (routing.device().size() > 0) {
            end = Math.max(Math.min(end, routing.device().size()), tuple.offset() + tuple.length());
        }
        for (RoutedRange piece : Router.route(routing.topology(), routing.device(), start, end - start)) {
            FailureRange range = new FailureRange(piece.offset(), piece.length(), tuple.errno(), tuple.flags());
            String medium = topology.medium(routing.topology(), piece.device());
            Optional<String> heldUuid = owners.filesystems().holding(piece.device().number())
                    .filter(filesystem -> filesystem.holder().isPresent() && piece.mount().isPresent())
                    .map(filesystem -> filesystem.reference().uuid());
            Optional<DamageRecord> existing = ledger.findOpenCovering(piece.device().number(), piece.offset(),
                    piece.length());
            List<AffectedOwner> now = null;
            // Damage to one copy of data kept elsewhere too is no data loss: recorded REDUNDANT, repaired from the copy.
            boolean redundant = heldUuid.isPresent() && owners.redundancyOn(piece.device().number(), range)
                    .hasOtherCopies();
            if (existing.isPresent() && existing.get().state() == DamageState.REDUNDANT && !redundant) {
                existing = Optional.empty(); // the other copy is gone since: this is data loss now, a record of its own
            }
            if (existing.isPresent()) {
                now = heldUuid.isPresent() ? ownersOf(piece, range) : List.of();
                StillKnown.Verdict verdict = StillKnown.judge(existing.get(), medium, heldUuid, now, piece.offset(),
                        piece.end());
                if (verdict.known()) {
                    DamageRecord again = ledger.seenAgain(existing.get().id(), tuple.observedAt());
                    known.add(again);
                    events.seenAgain(again, tuple.source());
                    continue;
                }
                if (!verdict.noLongerOwning().isEmpty()) {
                    superseded.add(supersede(existing.get(), verdict.noLongerOwning(), piece, tuple));
                }
            }
            List<AffectedOwner> affected = now != null ? now : ownersOf(piece, range);
            if (redundant) {
                affected = affected.stream().map(owner -> new AffectedOwner(owner.filesystem(), owner.owner(),
                        owner.paths(), DamageState.REDUNDANT)).toList();
            }
            // Announced only once durable; the ledger completes futures in the order records were made.
            recorded.add(ledger.recordAsync(new Damage(piece.device().number(), piece.device().name(),
                    piece.offset(), piece.length(), tuple.errno(), tuple.source(), tuple.observedAt(), affected,
                    medium, 0))
                    .thenApply(record -> {
                        events.recorded(record);
                        return record;
                    }));
            if (depth < MAX_STACK_DEPTH) {
                stacked.addAll(routeStacked(routing.topology(), piece, affected, tuple, depth));
            }
        }
        List<CompletableFuture<?>> all = new ArrayList<>(recorded);
        all.addAll(stacked);
        all.addAll(superseded);
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).thenApply(done -> {
            List<DamageRecord> records = new ArrayList<>(recorded.stream().map(CompletableFuture::join).toList());
            for (CompletableFuture<ProcessingResult> inner : stacked) {
                records.addAll(inner.join().recorded());
                known.addAll(inner.join().alreadyKnown());
            }
            return new ProcessingResult(records, known);
        });
    }

    private List<AffectedOwner> ownersOf(RoutedRange piece, FailureRange range) {
        return piece.mount().isPresent() ? owners.ownersOn(piece.device().number(), piece.device().name(), range)
                : List.of();
    }

    /**
     * The owners of a record that no longer hold the reported bytes (a file rewritten elsewhere, free space since
     * allocated) are superseded by the new record, so the bytes are not counted twice; audited, not waited for.
     */
    private CompletableFuture<List<DamageRecord>> supersede(DamageRecord record, List<Integer> owners,
                                                            RoutedRange piece, FailureTuple tuple) {
        String result = "ok: reported again by " + tuple.source() + " on " + piece.device().name() + " bytes "
                + piece.offset() + "+" + piece.length() + ", and " + owners.size() + " owner(s) of record "
                + record.id() + " no longer hold them: superseded by a new record of what holds them now";
        // The audit names the first file among them, so that file's history shows why its damage closed.
        Optional<AffectedOwner> file = owners.stream().map(record.owners()::get)
                .filter(owner -> owner.file().isPresent()).findFirst();
        return ledger.changeAsync(owners.stream().map(index -> new StateChange(record.id(), index,
                DamageState.SUPERSEDED, null)).toList(), new AuditEntry(tuple.observedAt(), "agent",
                "owners changed", file.flatMap(AffectedOwner::fileKey).orElse(FileKey.NONE),
                file.map(owner -> owner.paths().isEmpty() ? "" : owner.paths().get(0)).orElse(""), result));
    }

    /**
     * Stacked devices: a damaged file that backs a loop device damages that loop device's range too; that range is
     * routed again, on this thread, so the result names the files of the inner filesystem.
     */
    private List<CompletableFuture<ProcessingResult>> routeStacked(Topology current, RoutedRange piece,
                                                                   List<AffectedOwner> affected, FailureTuple tuple,
                                                                   int depth) {
        List<CompletableFuture<ProcessingResult>> nested = new ArrayList<>();
        for (AffectedOwner owner : affected) {
            if (!(owner.owner() instanceof FileOwner file)) {
                continue;
            }
            for (FailureTuple inner : LoopStacking.innerTuples(current, piece.device().number(), file, tuple)) {
                try {
                    nested.add(process(inner, depth + 1));
                } catch (IOException | RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "could not route " + inner.device() + " bytes "
                            + inner.offset() + "+" + inner.length() + " (inside " + tuple.device() + "): "
                            + e.getMessage());
                }
            }
        }
        return nested;
    }

    @Override
    public void close() {
        thread.shutdown();
        try {
            if (!thread.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "router thread did not finish its queue in 10 s; stopping it");
                thread.shutdownNow();
            }
        } catch (InterruptedException e) {
            thread.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
