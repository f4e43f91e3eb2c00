package io.daxguard.agent.source;

/**
 * What a supervised failure source is doing ({@link SourceSupervisor}). The {@link #code} is the number the
 * {@code source.<name>.state} metric shows.
 */
public enum SourceState {
    /** Not running: the agent has not started it yet, or stopped it. */
    STOPPED(0),
    /** Its thread is reading; what it finds is recorded. */
    RUNNING(1),
    /** Its thread ended by itself; it is started again at the next attempt (backoff). */
    RESTARTING(2),
    /** It could not start (no permission to read the kernel log, ...); the agent runs without it. */
    FAILED(3);

    private final int code;

    SourceState(int code) {
        this.code = code;
    }

    /** The state as a number, for metrics: 0 STOPPED, 1 RUNNING, 2 RESTARTING, 3 FAILED. */
    public int code() {
        return code;
    }
}
