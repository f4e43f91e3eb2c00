package io.daxguard.agent.ledger;

/** Where a damage record stands. Only {@link #OPEN} damage keeps a file's MBean registered. */
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
