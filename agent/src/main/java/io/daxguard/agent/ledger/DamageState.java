package io.daxguard.agent.ledger;

/** Where a damage record stands. Only {@link #OPEN} damage keeps a file's MBean registered. */
public enum DamageState {
    OPEN,
    VERIFIED_GOOD,
    REWRITTEN,
    RESTORED,
    QUARANTINED,
    ACKNOWLEDGED,
    FILE_GONE
}
