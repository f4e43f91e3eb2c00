package io.daxguard.agent.ledger;

import java.util.Objects;

/**
 * Whether the ledger is writing durably now.
 *
 * @param durable       every accepted write is (or will shortly be) on disk; false while writes fail
 * @param message       {@code ok}, or what is wrong and what the ledger does about it
 * @param pendingWrites writes held in memory, not yet durable
 */
public record LedgerHealth(boolean durable, String message, int pendingWrites) {
    public static final LedgerHealth MEMORY_ONLY = new LedgerHealth(false, "in memory only: lost at stop", 0);

    public LedgerHealth {
        Objects.requireNonNull(message, "message is null");
    }
}
