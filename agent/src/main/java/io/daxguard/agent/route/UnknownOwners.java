package io.daxguard.agent.route;

import io.daxguard.agent.failure.DamageEvents;
import io.daxguard.agent.owners.ListedOwners;
import io.daxguard.agent.owners.OwnerLookup;

import io.daxguard.agent.ledger.AffectedOwner;
import io.daxguard.agent.ledger.AuditEntry;
import io.daxguard.agent.ledger.Damage;
import io.daxguard.agent.ledger.DamageLedger;
import io.daxguard.agent.ledger.DamageRecord;
import io.daxguard.agent.ledger.DamageState;
import io.daxguard.agent.ledger.FileKey;
import io.daxguard.agent.ledger.StateChange;
import io.daxguard.agent.plugins.AttachedFilesystem;
import io.daxguard.spi.FailureRange;
import io.daxguard.spi.UnknownOwner;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Unknown owners looked up again: a failure recorded while a filesystem's index was being built could not name
 * the files it hit (routing never waits for an index). Once the index is ready, each open unknown owner whose
 * bytes now have a known owner gets a new record naming it, and the unknown owner becomes
 * {@link DamageState#SUPERSEDED}, audited.
 *
 * <p>Threads: the lookup and the new records are made on the router thread, after the tuples already queued, so
 * the ledger keeps one writer order; the router never waits for them to be durable. The caller (the
 * {@code daxguard-index-wait} thread of {@link IndexReadyWatch}) waits for the commits and supersedes, since
 * {@code DamageLedger.change} waits for the ledger's writer.
 */
public final class UnknownOwners {
    private static final System.Logger LOG = System.getLogger(UnknownOwners.class.getName());

    private final OwnerLookup owners;
    private final DamageLedger ledger;
    private final DamageEvents events;
    private final FailureRouter router;

    public UnknownOwners(OwnerLookup owners, DamageLedger ledger, DamageEvents events, FailureRouter router) {
        this.owners = owners;
        this.ledger = ledger;
        this.events = events;
        this.router = router;
    }

    /** An unknown owner looked up again, and the record that names what owns its bytes now. */
    record Replacement(DamageRecord record, int ownerIndex, UnknownOwner unknown, List<AffectedOwner> now,
                       CompletableFuture<DamageRecord> fresh) {
    }

    /**
     * Looks the open unknown owners of {@code filesystem}'s records up again, on the router thread after the tuples
     * already queued (a failure recorded while the filesystem's index was being built could not name the files it
     * hit), as one batch. Each unknown owner whose bytes now have a known owner (a file, metadata, free space) gets
     * a new record of those bytes naming them, announced like any other. The router does not wait for the records
     * to be durable: the future completes when they are, and the caller then {@link #supersede}s the unknown owners.
     */
    CompletableFuture<List<Replacement>> recordReplacements(AttachedFilesystem filesystem) {
        return router.afterQueued(() -> {
            List<DamageRecord> records = new ArrayList<>();
            List<Integer> indexes = new ArrayList<>();
            List<FailureRange> ranges = new ArrayList<>();
            for (DamageRecord record : ledger.records()) {
                if (record.state() != DamageState.OPEN || !record.device().equals(filesystem.mount().device())) {
                    continue;
                }
                for (int i = 0; i < record.owners().size(); i++) {
                    AffectedOwner affected = record.owners().get(i);
                    // An owner standing for owners not listed is no reverse map that could not answer: never asked
                    // again (it would be the whole range, and list the same first owners).
                    if (affected.open() && affected.owner() instanceof UnknownOwner unknown
                            && !ListedOwners.isUnlisted(unknown)) {
                        records.add(record);
                        indexes.add(i);
                        ranges.add(new FailureRange(unknown.physicalOffset(), unknown.length(), record.errno(),
                                Set.of()));
                    }
                }
            }
            if (ranges.isEmpty()) {
                return List.<Replacement>of();
            }
            List<List<AffectedOwner>> answers;
            try {
                answers = owners.resolveListed(filesystem, ranges);
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "unknown owners in " + filesystem.mount().mountPoint()
                        + " could not be looked up again: " + e.getMessage());
                return List.<Replacement>of();
            }
            List<Replacement> replacements = new ArrayList<>();
            for (int i = 0; i < ranges.size(); i++) {
                List<AffectedOwner> now = answers.get(i);
                if (now.stream().allMatch(owner -> owner.owner() instanceof UnknownOwner)) {
                    continue;
                }
                DamageRecord record = records.get(i);
                UnknownOwner unknown = (UnknownOwner) record.owners().get(indexes.get(i)).owner();
                replacements.add(new Replacement(record, indexes.get(i), unknown, now, ledger.recordAsync(
                        new Damage(record.device(), record.deviceName(), unknown.physicalOffset(), unknown.length(),
                                record.errno(), record.source(), record.firstSeen(), now, record.medium(),
                                record.inheritedFrom()))
                        .thenApply(made -> {
                            events.recorded(made);
                            return made;
                        })));
            }
            return replacements;
        }).thenCompose(replacements -> CompletableFuture.allOf(replacements.stream()
                .map(Replacement::fresh).toArray(CompletableFuture[]::new)).thenApply(durable -> replacements));
    }

    /**
     * Marks each replaced unknown owner {@link DamageState#SUPERSEDED}, audited with the record that names its
     * bytes now; not on the router or the ledger's writer thread ({@code change} waits for the writer). A change
     * that cannot be made durable is logged and the others go on.
     *
     * @return how many unknown owners were superseded
     */
    int supersede(List<Replacement> replacements) {
        int superseded = 0;
        for (Replacement replacement : replacements) {
            DamageRecord fresh = replacement.fresh().join();
            UnknownOwner unknown = replacement.unknown();
            Optional<AffectedOwner> file = replacement.now().stream().filter(owner -> owner.file().isPresent())
                    .findFirst();
            FileKey key = file.flatMap(AffectedOwner::fileKey).orElse(FileKey.NONE);
            try {
                ledger.change(List.of(new StateChange(replacement.record().id(), replacement.ownerIndex(),
                        DamageState.SUPERSEDED, null)), new AuditEntry(java.time.Instant.now(), "agent",
                        "look again once the reverse map is ready", key,
                        file.map(owner -> owner.paths().isEmpty() ? "" : owner.paths().get(0)).orElse(""),
                        "ok: the owners of fs bytes " + unknown.physicalOffset() + "-" + (unknown.physicalEnd() - 1)
                                + " (record " + replacement.record().id() + ", unknown: " + unknown.reason()
                                + ") are in record " + fresh.id()));
                superseded++;
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "record " + replacement.record().id() + " keeps its unknown owner"
                        + " (record " + fresh.id() + " names its bytes now): " + e.getMessage());
            }
        }
        return superseded;
    }

    /**
     * {@link #recordReplacements} then {@link #supersede}, waiting on the calling thread (interruptibly) for the
     * new records to be durable.
     *
     * @return how many unknown owners were superseded
     */
    public int lookAgain(AttachedFilesystem filesystem) throws InterruptedException, ExecutionException {
        return supersede(recordReplacements(filesystem).get());
    }
}
