package io.daxguard.agent.hooks;

import java.time.Duration;
import java.util.Objects;

/**
 * How one run of a hook ended.
 *
 * @param outcome   exited (with {@code exitStatus}), killed at its timeout, killed because the agent stopped, refused
 *                  before it started, or could not be started
 * @param exitStatus the program's exit status when it {@link Outcome#EXITED}; -1 otherwise
 * @param duration  from start to end (0 when it never started)
 * @param detail    why it was refused or could not start; empty otherwise
 * @param stdout    the first bytes of its standard output, in the display form of names (no control characters)
 * @param stderr    the first bytes of its standard error, likewise
 */
public record HookResult(Outcome outcome, int exitStatus, Duration duration, String detail, String stdout,
                         String stderr) {
    /** How a run ended. */
    public enum Outcome {
        EXITED, KILLED_AFTER_TIMEOUT, KILLED_AT_STOP, REFUSED, NOT_STARTED
    }

    public HookResult {
        Objects.requireNonNull(outcome, "outcome is null");
        Objects.requireNonNull(duration, "duration is null");
        Objects.requireNonNull(detail, "detail is null");
        Objects.requireNonNull(stdout, "stdout is null");
        Objects.requireNonNull(stderr, "stderr is null");
    }

    static HookResult notRun(Outcome outcome, String detail) {
        return new HookResult(outcome, -1, Duration.ZERO, detail, "", "");
    }

    /** Exited with status 0. */
    public boolean succeeded() {
        return outcome == Outcome.EXITED && exitStatus == 0;
    }

    /** In the audit's words: {@code ok: exit 0 after 12 ms}, {@code failed: exit 3 ...}, {@code failed: killed ...}. */
    public String line(Duration timeout) {
        String how = switch (outcome) {
            case EXITED -> "exit " + exitStatus + " after " + duration.toMillis() + " ms";
            case KILLED_AFTER_TIMEOUT -> "killed after timeout (" + timeout.toSeconds() + " s)";
            case KILLED_AT_STOP -> "killed after " + duration.toMillis() + " ms: the agent stopped";
            case REFUSED -> "refused: " + detail;
            case NOT_STARTED -> "could not start: " + detail;
        };
        return (succeeded() ? "ok: " : "failed: ") + how + (stderr.isEmpty() ? "" : "; stderr: " + stderr);
    }
}
