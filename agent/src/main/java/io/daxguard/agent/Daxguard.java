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
        io.daxguard.agent.daemon.ProcessSetup.prepare();
        System.exit(DaxguardCommand.execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }
}
