package io.daxguard.agent.recovery;

import io.daxguard.agent.ledger.AuditEntry;
import io.daxguard.agent.ledger.DamageLedger;
import io.daxguard.agent.ledger.DamagedFile;
import io.daxguard.agent.source.kmsg.KernelLogSource;
import io.daxguard.spi.Fork;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A policy's steps for one damaged file, in the policy's order, each the operation an operator's button runs
 * ({@link FileRecovery}, {@link Mappers}, {@link Quarantine}: identity checks and audit included, with
 * {@code policy:<name>} as principal):
 *
 * <ul>
 *   <li>{@code signalMappers}: the processes whose mappings cover the damaged pages get the policy's signal; in
 *       {@code late} mode only when the damage was reported by the kernel as a poisoned page that was touched;</li>
 *   <li>{@code restore}: from the replica provider's copy; when no open data damage is left the chain stops;</li>
 *   <li>{@code rewrite}: zeros, only for a file whose every name is under one of the policy's disposable
 *       directories ({@link DisposableNames}); stops likewise;</li>
 *   <li>{@code quarantine}: the file moved into {@code .daxguard-quarantine}.</li>
 * </ul>
 *
 * A step that fails or refuses is audited (by the operation itself, or here when it was skipped) and the next one
 * runs. The last entry, {@code recovery policy}, sums up every step's result.
 */
final class FileDamageSteps {
    /** The action of the entry that sums up a run of every step: written once the steps finished. */
    static final String SUMMARY_ACTION = "recovery policy";
    private final RecoveryPolicy policy;
    private final FileRecovery recovery;
    private final RecoverySettings settings;
    private final DamageLedger ledger;
    private final Clock clock;

    FileDamageSteps(RecoveryPolicy policy, FileRecovery recovery, RecoverySettings settings, DamageLedger ledger,
                    Clock clock) {
        this.policy = policy;
        this.recovery = recovery;
        this.settings = settings;
        this.ledger = ledger;
        this.clock = clock;
    }

    /** Runs the steps until one closes the file's open data damage, or none is left. */
    void run() {
        List<String> results = new ArrayList<>();
        for (RecoveryPolicy.FileStep step : policy.onFileDamage()) {
            if (openData(recovery.recorded()).isEmpty()) {
                results.add(step.word() + ": not run, no open data damage left");
                break;
            }
            results.add(step.word() + ": " + attempt(step));
            if ((step == RecoveryPolicy.FileStep.RESTORE || step == RecoveryPolicy.FileStep.REWRITE)
                    && openData(recovery.recorded()).isEmpty()) {
                break; // the data is good again (or zeros, by choice): nothing more to do
            }
        }
        if (!results.isEmpty()) {
            DamagedFile file = recovery.recorded();
            ledger.audit(new AuditEntry(clock.instant(), policy.principal(), SUMMARY_ACTION, file.key(),
                    file.displayPath(), String.join("; ", results)));
        }
    }

    /**
     * Late mode, when the kernel reports known damage (record {@code recordId}) as a poisoned page that was touched:
     * the mappers of those pages get the policy's signal now. Audited with the policy's summary entry.
     */
    void signalTouchedPages(long recordId) {
        String result = Mappers.signalDamagedPages(recovery, settings.proc(), policy.principal(), policy.signal(),
                hit -> hit.record().id() == recordId);
        DamagedFile file = recovery.recorded();
        ledger.audit(new AuditEntry(clock.instant(), policy.principal(), "recovery policy signal", file.key(),
                file.displayPath(), "signalMappers (record " + recordId + " reported touched by the kernel): "
                + result));
    }

    /** One step's result in words; a refusal or failure is a result too, never the end of the chain. */
    private String attempt(RecoveryPolicy.FileStep step) {
        String principal = policy.principal();
        try {
            return switch (step) {
                case SIGNAL_MAPPERS -> signalMappers(principal);
                case RESTORE -> recovery.restoreFromReplica(principal);
                case REWRITE -> rewrite(principal);
                case QUARANTINE -> Quarantine.quarantine(recovery, principal);
            };
        } catch (IllegalArgumentException | IllegalStateException refused) {
            return "failed: " + refused.getMessage(); // audited by the operation
        } catch (RuntimeException e) {
            String result = "failed: " + e;
            audit(step.word(), result);
            return result;
        }
    }

    /** Whether the kernel itself reported this damage as a poisoned page that was touched: what late mode waits for. */
    static boolean touched(DamagedFile.Hit hit) {
        return hit.record().source().equals(KernelLogSource.MEMORY_FAILURE_SOURCE);
    }

    private String signalMappers(String principal) {
        if (policy.mode() == RecoveryPolicy.Mode.LATE) {
            Optional<DamagedFile.Hit> touched = openData(recovery.recorded()).stream().filter(FileDamageSteps::touched)
                    .findFirst();
            if (touched.isEmpty()) {
                String result = "skipped: mode late signals only for pages the kernel reported poisoned and touched "
                        + "(source " + KernelLogSource.MEMORY_FAILURE_SOURCE + "); this damage was found by "
                        + String.join(", ", openData(recovery.recorded()).stream().map(hit -> hit.record().source())
                        .distinct().toList());
                audit("signalMappers " + policy.signal(), result);
                return result;
            }
        }
        return Mappers.signalDamagedPages(recovery, settings.proc(), principal, policy.signal(),
                policy.mode() == RecoveryPolicy.Mode.LATE ? FileDamageSteps::touched : hit -> true);
    }

    /** Rewrites only when every name the file has now is under a disposable directory (see DisposableNames). */
    private String rewrite(String principal) {
        DamagedFile file = recovery.file();
        DisposableNames names;
        try {
            names = DisposableNames.of(policy, recovery, file);
        } catch (IllegalStateException | java.io.IOException e) {
            String result = "skipped: the names of " + file.displayPath() + " could not all be checked: "
                    + e.getMessage();
            audit("rewriteZeros", result);
            return result;
        }
        Optional<String> whyNot = names.whyNot(policy);
        if (whyNot.isPresent()) {
            String result = "skipped: " + whyNot.get();
            audit("rewriteZeros", result);
            return result;
        }
        return recovery.rewriteZeros(principal, file.displayPath(), false, names.links());
    }

    private void audit(String action, String result) {
        ledger.audit(recovery.entry(policy.principal(), action, recovery.recorded(), result));
    }

    private static List<DamagedFile.Hit> openData(DamagedFile file) {
        return file.openHits().stream().filter(hit -> hit.owner().fork() == Fork.DATA).toList();
    }
}
