package io.daxguard.agent.ledger;

import java.util.List;
import java.util.Objects;

/**
 * A new state for one owner of one damage record.
 *
 * @param recordId   the damage record
 * @param ownerIndex which of its owners (their order in {@link DamageRecord#owners()})
 * @param state      the new state
 * @param paths      the owner's new paths (a quarantined file moved), or null to keep them
 */
public record StateChange(long recordId, int ownerIndex, DamageState state, List<String> paths) {
    public StateChange {
        Objects.requireNonNull(state, "state is null");
        paths = paths == null ? null : List.copyOf(paths);
        if (ownerIndex < -1) {
            throw new IllegalArgumentException("ownerIndex must be -1 (the record itself) or an owner, was " + ownerIndex);
        }
    }
}
