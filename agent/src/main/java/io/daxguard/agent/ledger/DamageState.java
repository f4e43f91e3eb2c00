package io.daxguard.agent.ledger;

/**
 * Where a damage record (and each of its owners) stands. A file with {@link #OPEN} damage gets a DamagedFile MBean at
 * agent start; one whose damage a repair closed keeps its MBean until the agent restarts, so the operator sees the
 * result.
 */
public enum DamageState {
    OPEN,
    VERIFIED_GOOD,
    REWRITTEN,
    RESTORED,
    QUARANTINED,
    ACKNOWLEDGED,
    FILE_GONE,
    /**
     * An unknown owner looked up again once the filesystem's reverse map could name owners (its index was still
     * being built when the failure came); the owners found are in a newer record of the same bytes.
     */
    SUPERSEDED
}
