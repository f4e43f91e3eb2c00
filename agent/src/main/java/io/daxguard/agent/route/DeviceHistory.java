package io.daxguard.agent.route;

import io.daxguard.agent.failure.DamageEvents;
import io.daxguard.agent.failure.DamageListener;
import io.daxguard.agent.ledger.AffectedOwner;
import io.daxguard.agent.ledger.AuditEntry;
import io.daxguard.agent.ledger.Damage;
import io.daxguard.agent.ledger.DamageLedger;
import io.daxguard.agent.ledger.DamageRecord;
import io.daxguard.agent.ledger.DamageState;
import io.daxguard.agent.ledger.FileKey;
import io.daxguard.agent.ledger.FilesystemRef;
import io.daxguard.agent.ledger.StateChange;
import io.daxguard.agent.owners.OwnerLookup;
import io.daxguard.agent.plugins.AttachedFilesystem;
import io.daxguard.agent.topology.BlockDevice;
import io.daxguard.agent.topology.Topology;
import io.daxguard.spi.FailureRange;
import io.daxguard.spi.UnknownOwner;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Physical damage outlives filesystems. When a filesystem is attached (at agent start, and whenever a new mount
 * appears, e.g. after {@code mkfs} and mount on the same device), the open damage already recorded on its device
 * is looked at again:
 * <ul>
 *   <li>of this filesystem (same UUID) on the same disk: still true, left alone;</li>
 *   <li>of another filesystem, or of no filesystem, on the same disk: the bytes are still bad, so they are resolved
 *       against the filesystem there now, in new records that say they were inherited ({@code inheritedFrom});
 *       the old record becomes {@link DamageState#FILESYSTEM_GONE} (damage no filesystem held becomes
 *       {@link DamageState#SUPERSEDED});</li>
 *   <li>of another disk (the disk under the device name was swapped, {@code medium} differs): not this disk's
 *       damage; the old record becomes FILESYSTEM_GONE and nothing is inherited.</li>
 * </ul>
 * Every change is audited by {@code agent}, so {@code daxguard events} shows it.
 *
 * <p>Physical damage outlives its owner too ({@link #ownersGone}): when the identity check finds a damaged file no
 * longer exists (FILE_GONE: deleted, or its filesystem re-made with the same UUID), its bytes are still bad, so they
 * are resolved against the filesystem there now (free space, another file, metadata) in a record inherited from the
 * closed one.
 *
 * <p>Threads: hears {@code attached} on whichever thread refreshed the topology; the work runs on the router
 * thread after the tuples already queued ({@link FailureRouter#afterQueued}), so the ledger keeps one writer order,
 * and never waits for the ledger's writer ({@code recordAsync}, {@code changeAsync}).
 */
public final class DeviceHistory implements DamageListener {
    private static final System.Logger LOG = System.getLogger(DeviceHistory.class.getName());
    static final String PRINCIPAL = "agent";

    private final LiveTopology topology;
    private final OwnerLookup owners;
    private final DamageLedger ledger;
    private final DamageEvents events;
    private final FailureRouter router;
    private final Clock clock;
    /** Reviews queued or running; guarded by {@code this}. Only {@link #settled} reads it. */
    private CompletableFuture<?> pending = CompletableFuture.completedFuture(null);

    public DeviceHistory(LiveTopology topology, OwnerLookup owners, DamageLedger ledger, DamageEvents events,
                         FailureRouter router, Clock clock) {
        this.topology = topology;
        this.owners = owners;
        this.ledger = ledger;
        this.events = events;
        this.router = router;
        this.clock = clock;
    }

    @Override
    public void attached(AttachedFilesystem filesystem) {
        if (filesystem.holder().isEmpty()) {
            return; // no plugin resolves it: nothing can be said about its owners
        }
        CompletableFuture<Integer> review = reviewAfterQueued(filesystem).exceptionally(failure -> {
            LOG.log(System.Logger.Level.WARNING, "the damage history of " + filesystem.mount().source() + " could "
                    + "not be reviewed for " + filesystem.mount().mountPoint() + ": " + failure);
            return 0;
        });
        synchronized (this) {
            pending = CompletableFuture.allOf(pending, review);
        }
    }

    /**
     * Completes once every review queued so far is durable (never exceptionally: a failed review was logged). The
     * agent waits for it at start, so what it announces (MBeans, status) already shows inherited damage.
     */
    public synchronized CompletableFuture<?> settled() {
        return pending;
    }

    /** Reviews the device's history on the router thread; completes with how many records were retired, once durable. */
    CompletableFuture<Integer> reviewAfterQueued(AttachedFilesystem filesystem) {
        return router.afterQueued(() -> review(filesystem)).thenCompose(review -> review);
    }

    private CompletableFuture<Integer> review(AttachedFilesystem filesystem) {
        Topology snapshot = topology.current();
        Optional<BlockDevice> device = snapshot.byNumber(filesystem.mount().device());
        if (device.isEmpty()) {
            return CompletableFuture.completedFuture(0);
        }
        FilesystemRef now = filesystem.reference();
        String medium = topology.medium(snapshot, device.get());
        List<DamageRecord> all = ledger.records();
        List<DamageRecord> inherit = new ArrayList<>();
        List<DamageRecord> otherDisk = new ArrayList<>();
        for (DamageRecord record : all) {
            if (!record.device().equals(now.device()) || record.state() != DamageState.OPEN) {
                continue;
            }
            boolean sameDisk = record.medium().isEmpty() || medium.isEmpty() || record.medium().equals(medium);
            if (!sameDisk) {
                otherDisk.add(record);
            } else if (!record.ofFilesystem(now.uuid())) {
                inherit.add(record);
            }
        }
        if (inherit.isEmpty() && otherDisk.isEmpty()) {
            return CompletableFuture.completedFuture(0);
        }
        List<CompletableFuture<?>> durable = new ArrayList<>();
        List<DamageRecord> toResolve = inherit.stream()
                .filter(record -> !coveredByFilesystem(all, record, now.uuid())).toList();
        List<List<AffectedOwner>> answers = ownersNow(filesystem, toResolve);
        for (int i = 0; i < toResolve.size(); i++) {
            DamageRecord old = toResolve.get(i);
            durable.add(ledger.recordAsync(new Damage(old.device(), device.get().name(), old.offset(), old.length(),
                    old.errno(), old.source(), clock.instant(), answers.get(i), medium, old.id()))
                    .thenApply(made -> {
                        events.recorded(made);
                        return made;
                    }));
        }
        for (DamageRecord old : inherit) {
            durable.add(retire(old, true, "the filesystem " + describe(old) + " is no longer on "
                    + device.get().name() + " (it holds " + now.type() + " " + now.uuid() + " at " + now.mountPoint()
                    + " now); the bad bytes stay bad: they were resolved again in " + now.mountPoint()
                    + " in a record inherited from record " + old.id()));
        }
        for (DamageRecord old : otherDisk) {
            durable.add(retire(old, false, "the disk under " + device.get().name() + " was replaced (it was "
                    + old.medium() + ", it is " + medium + " now): the damage of " + describe(old)
                    + " was the old disk's and is not inherited"));
        }
        int retired = inherit.size() + otherDisk.size();
        LOG.log(System.Logger.Level.WARNING, "attached " + now.mountPoint() + " (" + now.uuid() + ") on "
                + device.get().name() + ": " + inherit.size() + " damage record(s) of an earlier filesystem on the same"
                + " disk resolved again, " + otherDisk.size() + " of a replaced disk retired");
        return CompletableFuture.allOf(durable.toArray(CompletableFuture[]::new)).thenApply(done -> retired);
    }

    /**
     * Resolves again the bytes of records whose last open owners were just found gone (FILE_GONE), on the router
     * thread after the tuples queued: each such record of a filesystem mounted now ({@link AttachedFilesystem#holds})
     * whose bytes no open record covers gets a new record, inherited from it, naming what holds the bytes now.
     *
     * @param recordIds records the identity check closed as FILE_GONE
     * @return completes with how many records were made, once durable (never exceptionally: a failure is logged)
     */
    public CompletableFuture<Integer> ownersGone(List<Long> recordIds) {
        if (recordIds.isEmpty()) {
            return CompletableFuture.completedFuture(0);
        }
        return router.afterQueued(() -> reResolveGone(Set.copyOf(recordIds))).thenCompose(made -> made)
                .exceptionally(failure -> {
                    LOG.log(System.Logger.Level.WARNING, "the bytes of " + recordIds.size() + " record(s) whose files"
                            + " are gone could not be resolved again: " + failure);
                    return 0;
                });
    }

    private CompletableFuture<Integer> reResolveGone(Set<Long> recordIds) {
        Topology snapshot = topology.current();
        List<DamageRecord> all = ledger.records();
        List<CompletableFuture<?>> durable = new ArrayList<>();
        for (DamageRecord old : all) {
            if (!recordIds.contains(old.id()) || old.state() != DamageState.FILE_GONE || inheritedAlready(all, old)) {
                continue; // another owner keeps it open, or closed otherwise meanwhile, or done by an earlier check
            }
            Optional<AttachedFilesystem> filesystem = owners.filesystems().all().stream()
                    .filter(fs -> fs.holds(old)).findFirst();
            Optional<BlockDevice> device = filesystem.flatMap(fs -> snapshot.byNumber(fs.mount().device()));
            if (device.isEmpty() || coveredByOpen(all, device.get(), old)) {
                continue; // not mounted now (looked at when it is), or its bytes are open damage already
            }
            List<AffectedOwner> now = ownersNow(filesystem.get(), List.of(old)).get(0);
            if (now.stream().anyMatch(owner -> old.owners().stream().anyMatch(had -> had.fileKey().isPresent()
                    && had.fileKey().equals(owner.fileKey())))) {
                // A reverse map not yet past the deletion (an index catching up): the next check tries again.
                LOG.log(System.Logger.Level.WARNING, "record " + old.id() + ": the filesystem still names the gone "
                        + "file; its bytes are resolved again at the next identity check");
                continue;
            }
            durable.add(ledger.recordAsync(new Damage(device.get().number(), device.get().name(), old.offset(),
                    old.length(), old.errno(), old.source(), clock.instant(), now,
                    topology.medium(snapshot, device.get()), old.id())).thenApply(made -> {
                        events.recorded(made);
                        return made;
                    }));
            LOG.log(System.Logger.Level.WARNING, "record " + old.id() + ": its file is gone but bytes " + old.offset()
                    + "+" + old.length() + " of " + device.get().name() + " stay bad; resolved again in "
                    + filesystem.get().mount().mountPoint() + " in a record inherited from it");
        }
        return CompletableFuture.allOf(durable.toArray(CompletableFuture[]::new)).thenApply(done -> durable.size());
    }

    private static boolean inheritedAlready(List<DamageRecord> all, DamageRecord old) {
        return all.stream().anyMatch(record -> record.inheritedFrom() == old.id());
    }

    private static boolean coveredByOpen(List<DamageRecord> all, BlockDevice device, DamageRecord old) {
        return all.stream().anyMatch(record -> record.state() == DamageState.OPEN
                && record.covers(device.number(), old.offset(), old.length()));
    }

    /** Whether an open record of filesystem {@code uuid} already covers the old record's bytes (reported since). */
    private static boolean coveredByFilesystem(List<DamageRecord> all, DamageRecord old, String uuid) {
        return all.stream().anyMatch(record -> record.state() == DamageState.OPEN && record.ofFilesystem(uuid)
                && record.covers(old.device(), old.offset(), old.length()));
    }

    private List<List<AffectedOwner>> ownersNow(AttachedFilesystem filesystem, List<DamageRecord> records) {
        List<FailureRange> ranges = records.stream().map(record -> new FailureRange(record.offset(), record.length(),
                record.errno(), Set.of())).toList();
        if (ranges.isEmpty()) {
            return List.of();
        }
        try {
            return owners.resolveListed(filesystem, ranges);
        } catch (IOException | RuntimeException e) {
            // Recorded anyway: an unknown owner saying why, looked up again by no one but visible to the operator.
            LOG.log(System.Logger.Level.WARNING, "owners of inherited damage in " + filesystem.mount().mountPoint()
                    + " could not be found: " + e);
            return ranges.stream().map(range -> List.of(new AffectedOwner(filesystem.reference(), new UnknownOwner(
                    range.offset(), range.length(), "the reverse map failed: " + e), List.of()))).toList();
        }
    }

    /**
     * The old record's open owners become FILESYSTEM_GONE; a record with none (no filesystem held its bytes) becomes
     * SUPERSEDED when its bytes were {@code inherited} by the filesystem there now, else FILESYSTEM_GONE.
     */
    private CompletableFuture<List<DamageRecord>> retire(DamageRecord old, boolean inherited, String why) {
        List<StateChange> changes = new ArrayList<>();
        if (old.unowned()) {
            changes.add(new StateChange(old.id(), -1, inherited ? DamageState.SUPERSEDED : DamageState.FILESYSTEM_GONE,
                    null));
        } else {
            for (int index = 0; index < old.owners().size(); index++) {
                if (old.owners().get(index).open()) {
                    changes.add(new StateChange(old.id(), index, DamageState.FILESYSTEM_GONE, null));
                }
            }
        }
        String result = "record " + old.id() + " " + (old.unowned() ? "" : "FILESYSTEM_GONE: ") + why;
        return ledger.changeAsync(changes, new AuditEntry(clock.instant(), PRINCIPAL, "device history",
                FileKey.NONE, "", result));
    }

    private static String describe(DamageRecord record) {
        return record.filesystem().map(fs -> fs.type() + " " + fs.uuid() + " (at " + fs.mountPoint() + ")")
                .orElse("no filesystem");
    }
}
