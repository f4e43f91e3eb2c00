package io.daxguard.agent.ledger;

/**
 * Where a damage record (and each of its owners) stands. A file with {@link #OPEN} damage gets a DamagedFile MBean;
 * once its damage is closed the MBean goes away and the history stays in the ledger.
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
     * The owners found are in a newer record of the same bytes: an unknown owner looked up again once the
     * filesystem's reverse map could name owners, damage no filesystem held until one was made on the device, or
     * an owner that no longer holds the bytes when they were reported again.
     */
    SUPERSEDED,
    /**
     * The filesystem the record was resolved in no longer exists on its device: another filesystem was made there,
     * or the disk was replaced. The bad bytes of the old disk stay listed as device damage; they count toward no
     * filesystem's health (a filesystem re-made on the same disk inherits them in records of its own), and an
     * operator may close them ({@link #ACKNOWLEDGED}).
     */
    FILESYSTEM_GONE,
    /**
     * Damage to one copy of data the filesystem keeps elsewhere too ({@code Holder.redundancy}: btrfs raid1, DUP):
     * data intact on another copy, no data lost. Not {@link #open()}: no policy rewrites, restores or quarantines the
     * file; an operator repairs the bad copy from the good one ({@code daxguard repair MOUNT}), which closes it
     * {@link #REPAIRED_FROM_COPY} once the repair verified. Still looked for when the bytes are reported again.
     */
    REDUNDANT,
    /** The damaged copy was rewritten from the filesystem's other copy and read back correct. */
    REPAIRED_FROM_COPY;

    /** Whether damage in this state still asks for action: OPEN. */
    public boolean open() {
        return this == OPEN;
    }

    /** Whether damage in this state is not closed yet: OPEN, or REDUNDANT (waiting for a repair from the copy). */
    public boolean pending() {
        return this == OPEN || this == REDUNDANT;
    }
}
