package io.daxguard.agent.recovery;

import io.daxguard.agent.ledger.AffectedOwner;
import io.daxguard.agent.ledger.AuditEntry;
import io.daxguard.agent.ledger.DamageLedger;
import io.daxguard.agent.ledger.DamageRecord;
import io.daxguard.agent.ledger.DamageState;
import io.daxguard.agent.ledger.FileKey;
import io.daxguard.agent.ledger.StateChange;
import io.daxguard.agent.plugins.AttachedFilesystem;
import io.daxguard.agent.source.kmsg.RepairMarkers;
import io.daxguard.spi.FailureRange;
import io.daxguard.spi.Holder;
import io.daxguard.spi.RepairOutcome;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * Repairs {@link DamageState#REDUNDANT} damage of a filesystem that keeps other copies (btrfs raid1, DUP): each damaged
 * range of a member device is rewritten from the good copy and verified by the holder
 * ({@link Holder#repairFromCopies}). A range the holder says is repaired closes {@link DamageState#REPAIRED_FROM_COPY};
 * one with bytes no good copy was found for is data loss after all and becomes {@link DamageState#OPEN} (the recovery
 * of damaged files takes it from there); one the holder could not repair stays REDUNDANT. Every outcome is audited
 * under the operator's name. Only on an operator's request (ACTION role), never by itself.
 */
public final class CopyRepair {
    private static final System.Logger LOG = System.getLogger(CopyRepair.class.getName());
    static final String ACTION = "repair from copies";

    /** Where the repair's markers go ({@link RepairMarkers}): the kernel log the kernel log source reads. */
    private static final java.nio.file.Path KMSG = java.nio.file.Path.of("/dev/kmsg");

    private final DamageLedger ledger;
    private final Clock clock;
    private final java.nio.file.Path kmsg;

    public CopyRepair(DamageLedger ledger, Clock clock) {
        this(ledger, clock, KMSG);
    }

    /** @param kmsg where the markers around each repair are written ({@link RepairMarkers}) */
    public CopyRepair(DamageLedger ledger, Clock clock, java.nio.file.Path kmsg) {
        this.ledger = Objects.requireNonNull(ledger, "ledger is null");
        this.clock = Objects.requireNonNull(clock, "clock is null");
        this.kmsg = Objects.requireNonNull(kmsg, "kmsg is null");
    }

    /** The REDUNDANT records of {@code filesystem} (its UUID on its disk), oldest first. */
    public List<DamageRecord> redundantDamage(AttachedFilesystem filesystem) {
        return filesystem.damageOf(ledger.records()).stream()
                .filter(record -> record.state() == DamageState.REDUNDANT).toList();
    }

    /** What one record's repair came to. */
    public record Outcome(DamageRecord record, DamageState state, String message) {
        public boolean repaired() {
            return state == DamageState.REPAIRED_FROM_COPY;
        }
    }

    /**
     * Repairs every REDUNDANT record of {@code filesystem}, one range at a time, as {@code principal}.
     *
     * @throws IllegalStateException when the filesystem is not held
     */
    public List<Outcome> repairAll(AttachedFilesystem filesystem, String principal) {
        Holder holder = filesystem.holder().orElseThrow(() -> new IllegalStateException("repair: "
                + filesystem.mount().mountPoint().display() + " is not held: " + filesystem.refusal().orElse("")));
        List<Outcome> outcomes = new ArrayList<>();
        for (DamageRecord record : redundantDamage(filesystem)) {
            outcomes.add(repair(holder, record, principal));
        }
        return outcomes;
    }

    private Outcome repair(Holder holder, DamageRecord record, String principal) {
        FailureRange range = new FailureRange(record.offset(), record.length(), record.errno(), Set.of());
        String where = record.deviceName() + " bytes " + record.offset() + "+" + record.length();
        RepairOutcome outcome;
        // The filesystem logs what its repair fixes; the markers tell the kernel log source those lines are this.
        RepairMarkers.write(kmsg, true, record.device());
        try {
            outcome = holder.repairFromCopies(record.device(), range);
        } catch (IOException | RuntimeException e) { // UnsupportedOperationException: no other copy kept
            String message = "not repaired: " + where + ": " + e.getMessage() + "; the damage stays REDUNDANT";
            LOG.log(System.Logger.Level.WARNING, "repair from copies of record " + record.id() + " " + message);
            audit(record, principal, message);
            return new Outcome(record, DamageState.REDUNDANT, message);
        } finally {
            RepairMarkers.write(kmsg, false, record.device());
        }
        DamageState state = outcome.repaired() && outcome.uncorrectable() == 0 ? DamageState.REPAIRED_FROM_COPY
                : outcome.uncorrectable() > 0 ? DamageState.OPEN : DamageState.REDUNDANT;
        String message = switch (state) {
            case REPAIRED_FROM_COPY -> "repaired: " + where + ", " + outcome.bytesRewritten()
                    + " byte(s) rewritten from another copy and verified (" + outcome.detail() + ")";
            case OPEN -> "data loss: " + where + ", " + outcome.uncorrectable() + " byte(s) have no good copy ("
                    + outcome.detail() + "); the damage is OPEN";
            default -> "not verified: " + where + " (" + outcome.detail() + "); the damage stays REDUNDANT";
        };
        if (state == DamageState.REDUNDANT) {
            audit(record, principal, message);
        } else {
            List<StateChange> changes = IntStream.range(0, record.owners().size())
                    .filter(index -> record.owners().get(index).state() == DamageState.REDUNDANT)
                    .mapToObj(index -> new StateChange(record.id(), index, state, null)).toList();
            ledger.change(changes.isEmpty() ? List.of(new StateChange(record.id(), -1, state, null)) : changes,
                    auditEntry(record, principal, message));
        }
        return new Outcome(record, state, message);
    }

    private void audit(DamageRecord record, String principal, String message) {
        ledger.audit(auditEntry(record, principal, message));
    }

    /** Names the first file among the record's owners, so that file's history shows the repair. */
    private AuditEntry auditEntry(DamageRecord record, String principal, String message) {
        Optional<AffectedOwner> file = record.owners().stream().filter(owner -> owner.file().isPresent()).findFirst();
        return new AuditEntry(clock.instant(), principal, ACTION, file.flatMap(AffectedOwner::fileKey)
                .orElse(FileKey.NONE), file.map(owner -> owner.paths().isEmpty() ? "" : owner.paths().get(0))
                .orElse(""), "record " + record.id() + ": " + message);
    }
}
