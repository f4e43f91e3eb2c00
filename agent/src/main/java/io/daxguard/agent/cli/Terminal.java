package io.daxguard.agent.cli;

import java.io.Console;
import java.util.Optional;

/**
 * Whether the command line talks to a person at a terminal (redraw a progress line, ask for a password). Before
 * JDK 22 {@link System#console()} is null unless a terminal is attached; from JDK 22 on it is there even when the
 * streams are redirected, and {@code Console.isTerminal()} says whether it is one. Asked by reflection so the same
 * classes answer right on 17 and on newer JDKs.
 */
final class Terminal {
    private Terminal() {
    }

    /** The console, only when it is a terminal. */
    static Optional<Console> console() {
        Console console = System.console();
        if (console == null) {
            return Optional.empty();
        }
        try {
            Object terminal = Console.class.getMethod("isTerminal").invoke(console);
            return Boolean.TRUE.equals(terminal) ? Optional.of(console) : Optional.empty();
        } catch (NoSuchMethodException beforeJdk22) {
            return Optional.of(console); // there, a console exists only on a terminal
        } catch (ReflectiveOperationException | RuntimeException unknown) {
            return Optional.empty();
        }
    }

    /** For a child JVM of the tests: prints whether this process has a terminal. */
    public static void main(String[] args) {
        System.out.println(console().isPresent() ? "terminal" : "no terminal");
    }
}
