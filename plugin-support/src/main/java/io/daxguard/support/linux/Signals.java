package io.daxguard.support.linux;

import java.util.Locale;
import java.util.Map;

/**
 * The signals daxguard sends, by name and number; they are sent through a process descriptor ({@link Pidfd}).
 * {@link ProcessHandle} can only send SIGTERM and SIGKILL; daxguard must send SIGBUS, as the kernel does to
 * processes mapping poisoned DAX pages.
 *
 * <p>Signal numbers are those of x86-64 and arm64 Linux ({@code asm-generic/signal.h} for the ones named here).
 */
public final class Signals {
    public static final int SIGHUP = 1;
    public static final int SIGINT = 2;
    public static final int SIGKILL = 9;
    public static final int SIGBUS = 7;
    public static final int SIGUSR1 = 10;
    public static final int SIGUSR2 = 12;
    public static final int SIGTERM = 15;

    private static final Map<String, Integer> BY_NAME = Map.of("HUP", SIGHUP, "INT", SIGINT, "KILL", SIGKILL,
            "BUS", SIGBUS, "USR1", SIGUSR1, "USR2", SIGUSR2, "TERM", SIGTERM);

    private Signals() {
    }

    /**
     * The number of a signal named {@code SIGBUS}, {@code BUS} (any case) or given as a number.
     *
     * @throws IllegalArgumentException for a name daxguard does not send
     */
    public static int number(String name) {
        String upper = name.strip().toUpperCase(Locale.ROOT);
        if (upper.matches("[0-9]{1,2}")) {
            int number = Integer.parseInt(upper);
            if (number >= 1 && number <= 31) {
                return number;
            }
        }
        Integer number = BY_NAME.get(upper.startsWith("SIG") ? upper.substring(3) : upper);
        if (number == null) {
            throw new IllegalArgumentException("unknown signal \"" + name + "\": use one of SIGBUS, SIGTERM, SIGKILL, "
                    + "SIGHUP, SIGINT, SIGUSR1, SIGUSR2 or a number 1..31");
        }
        return number;
    }
}
