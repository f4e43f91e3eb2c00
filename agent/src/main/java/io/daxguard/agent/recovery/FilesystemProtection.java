package io.daxguard.agent.recovery;

import io.daxguard.agent.ledger.DamageRecord;
import io.daxguard.agent.ledger.FilesystemRef;
import java.time.Instant;
import java.util.Optional;

/**
 * What a recovery policy (or an operator) may do to a whole filesystem: what the kernel does to a filesystem whose
 * metadata it cannot trust, and clearing poison in free space. Every call is audited once, as {@code principal} (an
 * operator's, or {@code policy:<name>}).
 */
public interface FilesystemProtection {
    /** FIFREEZE on the filesystem (its UUID checked first): writes wait until it is thawed. */
    ProtectionResult freeze(FilesystemRef filesystem, String principal);

    /** FITHAW of a freeze daxguard made (another's freeze is refused: it is theirs to undo): writes go on. */
    ProtectionResult thaw(FilesystemRef filesystem, String principal);

    /** XFS_IOC_GOINGDOWN or EXT4_IOC_SHUTDOWN, the log flushed: every I/O fails until it is unmounted. */
    ProtectionResult shutdown(FilesystemRef filesystem, String principal);

    /** Rewrites a free-space damage record's bytes while nothing can allocate them; closes it when they read clean. */
    ProtectionResult clearFreeSpace(DamageRecord record, String principal);

    /** Whether daxguard froze {@code filesystem} (this agent or, remembered, an earlier one) and has not thawed it. */
    Optional<Frozen> frozen(FilesystemRef filesystem);

    /**
     * {@link #frozen}, checked with the kernel: a freeze of daxguard's that someone thawed by hand since
     * ({@code fsfreeze -u}) is forgotten. Asking means trying a second freeze (refused while frozen; one that takes is
     * undone at once), so it is for a decision, not for a view.
     */
    Optional<Frozen> frozenNow(FilesystemRef filesystem);

    /** A filesystem daxguard froze: when, and by whom. */
    record Frozen(Instant at, String principal) {
    }

    /** What was done, or why nothing was. */
    record ProtectionResult(boolean done, String message) {
    }
}
