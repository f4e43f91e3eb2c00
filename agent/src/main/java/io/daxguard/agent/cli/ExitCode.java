package io.daxguard.agent.cli;

/**
 * Exit codes of the {@code daxguard} command, documented in the README and in {@code daxguard --help}.
 */
public final class ExitCode {
    /** Done; for {@code status}: every filesystem is ONLINE. */
    public static final int OK = 0;
    /** The agent could not start, or the operation failed (the message says why). */
    public static final int FAILED = 1;
    /** Bad arguments: a usage message was printed. */
    public static final int USAGE = 2;
    /** No agent could be reached (none running, wrong URL, refused credentials or role). */
    public static final int NO_AGENT = 3;
    /** The configuration file is invalid: every violation was printed. */
    public static final int BAD_CONFIG = 4;
    /** {@code status} only: some filesystem is DEGRADED or UNHEALTHY, or there is unowned device damage. */
    public static final int DAMAGE = 5;

    static final String HELP = "%nExit codes: 0 done (status: all healthy), 1 failed, 2 bad arguments, 3 no agent "
            + "reachable,%n            4 invalid configuration, 5 status found open damage.";

    private ExitCode() {
    }
}
