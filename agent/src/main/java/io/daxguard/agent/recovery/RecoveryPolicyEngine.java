package io.daxguard.agent.recovery;

import io.daxguard.agent.failure.DamageListener;
import io.daxguard.agent.ledger.AffectedOwner;
import io.daxguard.agent.ledger.DamageLedger;
import io.daxguard.agent.ledger.DamageRecord;
import io.daxguard.agent.ledger.DamageState;
import io.daxguard.agent.ledger.FileKey;
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
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Recovery that starts by itself: hears every new record ({@link #recorded}, on the ledger's writer thread, once it is
 * durable) and hands it to its own thread, {@code daxguard-recovery-policy}, which runs the steps of the policy of the
 * record's filesystem ({@link RecoveryPolicies#match}): for each file whose data the record names, the file steps in
 * order ({@link FileDamageSteps}, the same {@link FileRecovery} operations the MBean buttons run, identity checks
 * included); for damaged metadata the metadata steps and for damaged free space the free-space steps, through
 * {@link FilesystemProtection}. Every step, done, failed or skipped, is audited with the policy as principal.
 *
 * <p>The hand-off never blocks the ledger's writer: the queue holds {@link #QUEUE_CAPACITY} records, and a record
 * arriving when it is full is left to the operator (logged and counted; its damage is recorded and shown as always).
 * Records are handled one at a time, in the order they were recorded. At start, open file damage whose policy never
 * finished ({@link #resumeUnfinished}: the agent stopped or was killed in the middle, the queue was full, or the policy
 * is new) is handed over once more. Known damage is not acted on again, with one exception: known damage the kernel now reports as a
 * poisoned page that was touched ({@link #seenAgain(DamageRecord, String)}, the memory-failure source) is what a
 * {@code late} policy's signal waits for, so its mappers get it then.
 *
 * <p>Thread ownership: made by {@code Agent}, which closes it after the router, before the MBeans and the ledger;
 * {@link #close} drops what is queued and waits (10 s) for the record being handled.
 */
public final class RecoveryPolicyEngine implements DamageListener, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RecoveryPolicyEngine.class.getName());
    static final int QUEUE_CAPACITY = 1024;

    private final DamageLedger ledger;
    private final Supplier<List<AttachedFilesystem>> filesystems;
    private final FileNames names;
    private final RecoverySettings settings;
    private final FilesystemProtection protection;
    private final Clock clock;
    private final AtomicLong dropped = new AtomicLong();
    private final ThreadPoolExecutor thread;

    public RecoveryPolicyEngine(DamageLedger ledger, Supplier<List<AttachedFilesystem>> filesystems, FileNames names,
                                RecoverySettings settings, FilesystemProtection protection, Clock clock) {
        this.ledger = Objects.requireNonNull(ledger, "ledger is null");
        this.filesystems = Objects.requireNonNull(filesystems, "filesystems is null");
        this.names = Objects.requireNonNull(names, "names is null");
        this.settings = Objects.requireNonNull(settings, "settings is null");
        this.protection = Objects.requireNonNull(protection, "protection is null");
        this.clock = Objects.requireNonNull(clock, "clock is null");
        this.thread = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(QUEUE_CAPACITY), runnable -> {
                    Thread worker = new Thread(runnable, "daxguard-recovery-policy");
                    worker.setDaemon(true);
                    return worker;
                }, (task, executor) -> {
                    throw new RejectedExecutionException("queue full or closed");
                });
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

    /** Queues {@code work} for the engine's thread; when the queue is full the record is left to the operator. */
    private void handOver(DamageRecord record, String what, Runnable work) {
        try {
            thread.execute(work);
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

    /**
     * At start, before any source: the open file damage of {@code records} on a filesystem with a policy whose steps
     * never finished for that file since the damage was first seen (no {@code recovery policy} audit entry of a policy
     * since), handed to the engine's thread in one task. Metadata and free-space steps are not redone: a freeze or a
     * shutdown outlives the agent, and a clearing left undone stays open for an operator.
     */
    public void resumeUnfinished(List<DamageRecord> records) {
        if (settings.policies().policies().isEmpty()) {
            return;
        }
        List<DamageRecord> open = records.stream().filter(record -> record.state() == DamageState.OPEN
                && !record.unowned() && !damagedFiles(record).isEmpty()).toList();
        if (!open.isEmpty()) {
            handOver(open.get(0), " and " + (open.size() - 1) + " more, unfinished at start,", () -> open
                    .forEach(this::resume));
        }
    }

    private void resume(DamageRecord record) {
        try {
            Optional<RecoveryPolicy> policy = policyOf(record);
            if (policy.isEmpty()) {
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

    /** The policy of the filesystem holding {@code record} now, if any. */
    private Optional<RecoveryPolicy> policyOf(DamageRecord record) {
        Optional<AttachedFilesystem> filesystem = filesystems.get().stream().filter(fs -> fs.holds(record))
                .findFirst();
        if (filesystem.isEmpty()) {
            return Optional.empty(); // unmounted since: nothing to act on, the damage waits where it is shown
        }
        String uuid = filesystem.get().info().map(FilesystemInfo::uuid).orElse("");
        return settings.policies().match(filesystem.get().mount().mountPoint(), uuid).policy();
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
            Optional<RecoveryPolicy> policy = policyOf(record);
            if (policy.isEmpty()) {
                return;
            }
            for (FileKey file : damagedFiles(record)) {
                new FileDamageSteps(policy.get(), recoveryOf(file), settings, ledger, clock).run();
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
     * Waits until every record handed over before this call has been acted on: the thread runs one task at a time, in
     * order, so a marker queued now runs after them.
     *
     * @return false when that took longer than {@code timeout}
     */
    public boolean awaitIdle(java.time.Duration timeout) throws InterruptedException {
        try {
            thread.submit(() -> { }).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("unreachable: the marker does nothing", e);
        }
    }

    @Override
    public void close() {
        List<Runnable> left = thread.shutdownNow();
        if (!left.isEmpty()) {
            dropped.addAndGet(left.size());
            LOG.log(System.Logger.Level.INFO, "recovery policies: " + left.size() + " record(s) not acted on at stop;"
                    + " their damage is recorded and waits for an operator");
        }
        try {
            if (!thread.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "recovery policies: a step still runs after 10 s; going on");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
