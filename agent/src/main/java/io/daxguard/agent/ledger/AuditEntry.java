package io.daxguard.agent.ledger;

import java.time.Instant;
import java.util.Objects;

/**
 * One action on damage, as the audit trail keeps it: who, when, what, on which file, and how it ended.
 *
 * @param at         when
 * @param principal  the JMX principal, {@code local} for a local connection, {@code agent} for the agent itself
 * @param action     the operation, for example {@code rewriteZeros}
 * @param file       the file acted on; {@link FileKey#NONE} when the action was on no file
 * @param path       the file's path at the time, relative to its mount point, or empty
 * @param result     what happened, in words an operator reads ({@code ok: ...} or {@code refused: ...})
 */
public record AuditEntry(Instant at, String principal, String action, FileKey file, String path, String result) {
    public AuditEntry {
        Objects.requireNonNull(at, "at is null");
        Objects.requireNonNull(principal, "principal is null");
        Objects.requireNonNull(action, "action is null");
        Objects.requireNonNull(file, "file is null");
        Objects.requireNonNull(path, "path is null");
        Objects.requireNonNull(result, "result is null");
    }

    /** One line for a history listing. */
    public String line() {
        return at + " " + principal + " " + action + (path.isEmpty() ? "" : " " + path) + ": " + result;
    }
}
