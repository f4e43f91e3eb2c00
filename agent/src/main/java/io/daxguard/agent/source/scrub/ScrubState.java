package io.daxguard.agent.source.scrub;

/**
 * Where a filesystem's scrub is. Transitions:
 * <pre>
 *   IDLE / FINISHED / CANCELLED / FAILED --start--> RUNNING
 *   RUNNING --pause--> PAUSED --resume--> RUNNING
 *   RUNNING / PAUSED --cancel--> CANCELLED
 *   RUNNING --last extent read--> FINISHED;  RUNNING --read error other than EIO--> FAILED
 *   RUNNING --agent stops--> (position saved as RUNNING; the next agent resumes it)
 * </pre>
 */
public enum ScrubState {
    IDLE, RUNNING, PAUSED, FINISHED, CANCELLED, FAILED;

    /** Whether a new scrub may start from here. */
    public boolean isDone() {
        return this == IDLE || this == FINISHED || this == CANCELLED || this == FAILED;
    }
}
