package io.daxguard.agent;

import io.daxguard.agent.cli.DaxguardCommand;
import java.io.PrintWriter;

/**
 * The {@code daxguard} program: {@code daxguard run} starts the agent in the foreground; the other commands
 * talk to a running agent. See {@link DaxguardCommand} and {@link io.daxguard.agent.cli.ExitCode}.
 */
public final class Daxguard {
    private Daxguard() {
    }

    public static void main(String[] args) {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT%1$tz %4$s %3$s: %5$s%6$s%n");
        }
        System.exit(DaxguardCommand.execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }
}
