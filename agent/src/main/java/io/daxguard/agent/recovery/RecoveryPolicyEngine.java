package io.daxguard.agent.recovery;

import io.daxguard.agent.failure.DamageListener;
import io.daxguard.agent.ledger.AffectedOwner;
import io.daxguard.agent.ledger.AuditEntry;
import io.daxguard.agent.ledger.DamageLedger;
import io.daxguard.agent.ledger.DamageRecord;
import io.daxguard.agent.ledger.DamageState;
import io.daxguard.agent.ledger.DamagedFile;
import io.daxguard.agent.ledger.FileKey;
import io.daxguard.agent.ledger.FilesystemRef;
import io.daxguard.agent.plugins.AttachedFilesystem;
import io.daxguard.agent.source.kmsg.KernelLogSource;
import io.daxguard.spi.FilesystemInfo;
import io.daxguard.spi.Fork;
import io.daxguard.spi.FreeSpaceOwner;
import io.daxguard.spi.MetadataOwner;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Recovery that starts by itself: hears every new record ({@link #recorded}, on the ledger's writer thread, once it is
 * durable) and hands it to the worker of the record's filesystem ({@link PolicyWorkers}, a thread per filesystem:
 * a step waiting on a frozen filesystem holds only that filesystem's policy), which runs the steps of the policy of the
 * record's filesystem ({@link RecoveryPolicies#match}): for each file whose data the record names, the file steps in
 * order ({@link FileDamageSteps}, the same {@link FileRecovery} operations the MBean buttons run, identity checks
 * included); for damaged metadata the metadata steps and for damaged free space the free-space steps, through
 * {@link FilesystemProtection}. Every step, done, failed or skipped, is audited with the policy as principal. File
 * steps are never started on a filesystem daxguard itself froze (they would write, and sleep in the kernel until the
 * thaw): they are refused, audited, and run when daxguard thaws it ({@link #thawed}).
 *
 * <p>The hand-off never blocks the ledger's writer: each filesystem's queue holds {@link #QUEUE_CAPACITY} records, and
 * a record arriving when it is full is left to the operator (logged and counted; its damage is recorded and shown as
 * always). A filesystem's records are handled one at a time, in the order they were recorded. At start, open file damage whose policy never
 * finished ({@link #resumeUnfinished}: the agent stopped or was killed in the middle, the queue was full, or the policy
 * is new) is handed over once more. Known damage is not acted on again, with one exception: known damage the kernel now reports as a
 * poisoned page that was touched ({@link #seenAgain(DamageRecord, String)}, the memory-failure source) is what a
 * {@code late} policy's signal waits for, so its mappers get it then.
 *
 * <p>Thread ownership: made by {@code Agent}, which closes it after the router, before the MBeans and the ledger;
 * {@link #close} drops what is queued and waits (10 s in all) for the records being handled.
 */
public final class RecoveryPolicyEngine implements DamageListener, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RecoveryPolicyEngine.class.getName());
    static final int QUEUE_CAPACITY = PolicyWorkers.QUEUE_CAPACITY;
    /** The audit action of file steps refused because daxguard froze the filesystem (not the summary: they resume). */
    static final String REFUSED_FROZEN_ACTION = "recovery policy refused";

    private final DamageLedger ledger;
    private final Supplier<List<AttachedFilesystem>> filesystems;
    private final FileNames names;
    private final RecoverySettings settings;
    private final FilesystemProtection protection;
    private final Clock clock;
    private final AtomicLong dropped = new AtomicLong();
    private final PolicyWorkers workers = new PolicyWorkers();

    public RecoveryPolicyEngine(DamageLedger ledger, Supplier<List<AttachedFilesystem>> filesystems, FileNames names,
                                RecoverySettings settings, FilesystemProtection protection, Clock clock) {
        this.ledger = Objects.requireNonNull(ledger, "ledger is null");
        this.filesystems = Objects.requireNonNull(filesystems, "filesystems is null");
        this.names = Objects.requireNonNull(names, "names is null");
        this.settings = Objects.requireNonNull(settings, "settings is null");
        this.protection = Objects.requireNonNull(protection, "protection is null");
        this.clock = Objects.requireNonNull(clock, "clock is null");
    }

    /** Records left to the operator because the queue was full (or the engine closing). */
    public long dropped() {
        return dropped.get();
    }

    @Override
    public void recorded(DamageRecord record) {
        if (settings.policies().policies().isEmpty() || record.state() != DamageState.OPEN || record.unowned()) {
            return;
        }
        handOver(record, "", () -> handle(record));
    }

    /**
     * Queues {@code work} on the worker of the record's filesystem; when its queue is full the record is left to the
     * operator.
     */
    private void handOver(DamageRecord record, String what, Runnable work) {
        try {
            workers.execute(workerOf(record), work);
        } catch (RejectedExecutionException full) {
            dropped.incrementAndGet();
            LOG.log(System.Logger.Level.WARNING, "recovery policies: record " + record.id() + what + " left to the"
                    + " operator (" + full.getMessage() + ")");
        }
    }

    @Override
    public void seenAgain(DamageRecord record, String source) {
        if (!source.equals(KernelLogSource.MEMORY_FAILURE_SOURCE) || settings.policies().policies().isEmpty()
                || record.state() != DamageState.OPEN || record.unowned()) {
            return;
        }
        handOver(record, ", reported touched,", () -> handleTouched(record));
    }

    /** The worker a record's steps run on: its filesystem's (UUID and device), else its device's. */
    private static String workerOf(DamageRecord record) {
        return record.filesystem().map(filesystem -> filesystem.uuid() + "@" + filesystem.device())
                .orElse("device " + record.deviceName());
    }

    /**
     * At start, before any source: the open file damage of {@code records} on a filesystem with a policy whose steps
     * never finished for that file since the damage was first seen (no {@code recovery policy} audit entry of a policy
     * since), handed to the worker of each filesystem in one task per filesystem. Metadata and free-space steps are
     * not redone: a freeze or a shutdown outlives the agent, and a clearing left undone stays open for an operator.
     */
    public void resumeUnfinished(List<DamageRecord> records) {
        resumeUnfinished(records, record -> true, "unfinished at start");
    }

    /**
     * After daxguard thawed {@code filesystem}: the file steps refused while it was frozen (and any other unfinished
     * ones of that filesystem) run now, on its worker.
     */
    public void thawed(FilesystemRef filesystem) {
        resumeUnfinished(ledger.records(), record -> record.filesystem().map(recorded -> recorded.uuid()
                .equals(filesystem.uuid()) && recorded.device().equals(filesystem.device())).orElse(false),
                "unfinished when " + filesystem.mountPoint() + " was thawed");
    }

    private void resumeUnfinished(List<DamageRecord> records, Predicate<DamageRecord> which, String why) {
        if (settings.policies().policies().isEmpty()) {
            return;
        }
        Map<String, List<DamageRecord>> open = records.stream().filter(record -> record.state() == DamageState.OPEN
                && !record.unowned() && !damagedFiles(record).isEmpty() && which.test(record))
                .collect(Collectors.groupingBy(RecoveryPolicyEngine::workerOf, LinkedHashMap::new,
                        Collectors.toList()));
        open.values().forEach(ofOneFilesystem -> handOver(ofOneFilesystem.get(0), " and "
                + (ofOneFilesystem.size() - 1) + " more, " + why + ",", () -> ofOneFilesystem.forEach(this::resume)));
    }

    private void resume(DamageRecord record) {
        try {
            Optional<AttachedFilesystem> filesystem = filesystemOf(record);
            Optional<RecoveryPolicy> policy = filesystem.flatMap(this::policyOf);
            if (policy.isEmpty() || refusedWhileFrozen(policy.get(), filesystem.get(), record)) {
                return;
            }
            for (FileKey file : damagedFiles(record)) {
                FileRecovery recovery = recoveryOf(file);
                if (!finishedSince(recovery, record.firstSeen())) {
                    LOG.log(System.Logger.Level.INFO, policy.get().principal() + ": resuming " + recovery.recorded()
                            .displayPath() + " (record " + record.id() + "): its steps did not finish before the stop");
                    new FileDamageSteps(policy.get(), recovery, settings, ledger, clock).run();
                }
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "recovery policies: record " + record.id() + " failed: " + e, e);
        }
    }

    /** Whether a policy's steps ran to their summary entry for this file since {@code since}. */
    private boolean finishedSince(FileRecovery recovery, java.time.Instant since) {
        return ledger.history(recovery.recorded().key()).stream().anyMatch(entry -> entry.principal()
                .startsWith(RecoveryPolicy.PRINCIPAL_PREFIX) && entry.action().equals(FileDamageSteps.SUMMARY_ACTION)
                && !entry.at().isBefore(since));
    }

    /** The filesystem holding {@code record} now (none: unmounted since, the damage waits where it is shown). */
    private Optional<AttachedFilesystem> filesystemOf(DamageRecord record) {
        return filesystems.get().stream().filter(fs -> fs.holds(record)).findFirst();
    }

    /** The policy of the filesystem holding {@code record} now, if any. */
    private Optional<RecoveryPolicy> policyOf(DamageRecord record) {
        return filesystemOf(record).flatMap(this::policyOf);
    }

    private Optional<RecoveryPolicy> policyOf(AttachedFilesystem filesystem) {
        String uuid = filesystem.info().map(FilesystemInfo::uuid).orElse("");
        return settings.policies().match(filesystem.mount().mountPoint(), uuid).policy();
    }

    /**
     * Refuses the file steps of {@code record} (audited per file, logged) when daxguard itself froze its filesystem:
     * restore, rewrite and quarantine write, and a write to a frozen filesystem sleeps in the kernel until the thaw.
     * daxguard's own freeze must not trap its own threads; the steps run when daxguard thaws it ({@link #thawed}).
     * A freeze made by someone else is not known here: a step may wait on it, holding only this filesystem's worker.
     *
     * @return whether they were refused
     */
    private boolean refusedWhileFrozen(RecoveryPolicy policy, AttachedFilesystem filesystem, DamageRecord record) {
        Set<FileKey> files = damagedFiles(record);
        if (files.isEmpty() || protection.frozen(filesystem.reference()).isEmpty()) {
            return false;
        }
        Optional<FilesystemProtection.Frozen> frozen = protection.frozenNow(filesystem.reference());
        if (frozen.isEmpty()) {
            return false; // thawed by hand since daxguard froze it: the steps can run
        }
        String mountPoint = filesystem.mount().mountPoint().display();
        String reason = "refused: " + mountPoint + " is frozen by daxguard since " + frozen.get().at() + " (by "
                + frozen.get().principal() + "): thaw it to let the policy act (daxguard thaw " + mountPoint
                + "); its file steps write, and would wait for the thaw; nothing done";
        for (FileKey file : files) {
            try {
                DamagedFile recorded = recoveryOf(file).recorded();
                ledger.audit(new AuditEntry(clock.instant(), policy.principal(), REFUSED_FROZEN_ACTION,
                        recorded.key(), recorded.displayPath(), reason));
            } catch (IllegalStateException notDurable) {
                LOG.log(System.Logger.Level.WARNING, "recovery policies: the refusal for " + file
                        + " could not be audited: " + notDurable.getMessage());
            }
        }
        LOG.log(System.Logger.Level.WARNING, policy.principal() + ": file steps for damage record " + record.id()
                + " (" + files.size() + " file(s)) " + reason);
        return true;
    }

    /**
     * Known damage the kernel reports touched: a {@code late} policy with {@code signalMappers} signals the mappers of
     * those pages now (its other steps ran when the damage was recorded; an {@code early} one signalled then).
     */
    private void handleTouched(DamageRecord record) {
        try {
            Optional<RecoveryPolicy> policy = policyOf(record);
            if (policy.isEmpty() || policy.get().mode() != RecoveryPolicy.Mode.LATE
                    || !policy.get().onFileDamage().contains(RecoveryPolicy.FileStep.SIGNAL_MAPPERS)) {
                return;
            }
            for (FileKey file : damagedFiles(record)) {
                new FileDamageSteps(policy.get(), recoveryOf(file), settings, ledger, clock)
                        .signalTouchedPages(record.id());
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "recovery policies: record " + record.id() + " failed: " + e, e);
        }
    }

    /** The policy of the filesystem holding {@code record} now, and its steps, on this engine's thread. */
    private void handle(DamageRecord record) {
        try {
            Optional<AttachedFilesystem> filesystem = filesystemOf(record);
            Optional<RecoveryPolicy> policy = filesystem.flatMap(this::policyOf);
            if (policy.isEmpty()) {
                return;
            }
            if (!refusedWhileFrozen(policy.get(), filesystem.get(), record)) {
                for (FileKey file : damagedFiles(record)) {
                    new FileDamageSteps(policy.get(), recoveryOf(file), settings, ledger, clock).run();
                }
            }
            if (openOwner(record, owner -> owner.owner() instanceof MetadataOwner)) {
                metadataSteps(policy.get(), record);
            }
            if (openOwner(record, owner -> owner.owner() instanceof FreeSpaceOwner)) {
                freeSpaceSteps(policy.get(), record);
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "recovery policies: record " + record.id() + " failed: " + e, e);
        }
    }

    private FileRecovery recoveryOf(FileKey file) {
        return new FileRecovery(ledger, file, () -> names.mountPoint(file), settings, clock, names::current);
    }

    /** The files whose data the record names with open damage, each once. */
    private static Set<FileKey> damagedFiles(DamageRecord record) {
        Set<FileKey> files = new LinkedHashSet<>();
        for (AffectedOwner owner : record.owners()) {
            if (owner.open() && owner.file().map(file -> file.fork() == Fork.DATA).orElse(false)) {
                files.add(owner.fileKey().orElseThrow().onMedium(record.medium()));
            }
        }
        return files;
    }

    private static boolean openOwner(DamageRecord record, java.util.function.Predicate<AffectedOwner> kind) {
        return record.owners().stream().anyMatch(owner -> owner.open() && kind.test(owner));
    }

    private void metadataSteps(RecoveryPolicy policy, DamageRecord record) {
        var filesystem = record.filesystem().orElseThrow();
        for (RecoveryPolicy.MetadataStep step : policy.onMetadataDamage()) {
            FilesystemProtection.ProtectionResult result = switch (step) {
                case FREEZE -> protection.freeze(filesystem, policy.principal());
                case SHUTDOWN -> protection.shutdown(filesystem, policy.principal());
            };
            logged(policy, step.word() + " " + filesystem.mountPoint(), record, result);
        }
    }

    private void freeSpaceSteps(RecoveryPolicy policy, DamageRecord record) {
        for (RecoveryPolicy.FreeStep step : policy.onFreeDamage()) {
            FilesystemProtection.ProtectionResult result = switch (step) {
                case CLEAR_POISON -> protection.clearFreeSpace(record, policy.principal());
            };
            logged(policy, step.word() + " record " + record.id(), record, result);
        }
    }

    /** The protection audited the step as the policy's; the log says which damage record asked for it. */
    private static void logged(RecoveryPolicy policy, String action, DamageRecord record,
                               FilesystemProtection.ProtectionResult result) {
        LOG.log(System.Logger.Level.WARNING, policy.principal() + " " + action + " for damage record " + record.id()
                + ": " + (result.done() ? "done: " : "not done: ") + result.message());
    }

    /**
     * Waits until every record handed over before this call has been acted on, on every filesystem's worker.
     *
     * @return false when that took longer than {@code timeout}
     */
    public boolean awaitIdle(java.time.Duration timeout) throws InterruptedException {
        return workers.awaitIdle(timeout);
    }

    /** Drops what is queued (counted) and waits at most 10 s for the steps running; a hung one is left, logged. */
    @Override
    public void close() {
        dropped.addAndGet(workers.close());
    }
}
