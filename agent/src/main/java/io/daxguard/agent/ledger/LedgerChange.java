package io.daxguard.agent.ledger;

import java.util.List;
import java.util.Objects;

/**
 * A change of state the ledger applied, as its listeners are told ({@link DamageLedger#onChange}): the records as
 * they are now, and the audit entry that says who changed them, how and why.
 *
 * @param records the changed records, after the change
 * @param audit   the change's audit entry
 */
public record LedgerChange(List<DamageRecord> records, AuditEntry audit) {
    public LedgerChange {
        records = List.copyOf(Objects.requireNonNull(records, "records is null"));
        Objects.requireNonNull(audit, "audit is null");
    }
}
