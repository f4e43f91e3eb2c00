package io.daxguard.agent.cli;

import io.daxguard.agent.daemon.Agent;
import java.io.InputStream;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code daxguard} command line. */
@Command(name = "daxguard", mixinStandardHelpOptions = true, versionProvider = DaxguardCommand.Version.class,
        description = "Turns media errors on Linux block devices into the damaged files an operator can act on.",
        footer = ExitCode.HELP,
        subcommands = {RunCommand.class, StatusCommand.class, EventsCommand.class, FleetCommand.class,
                SimpleCommands.Report.class,
                SimpleCommands.Resolve.class, SimpleCommands.Scrub.class, SimpleCommands.Verify.class,
                SimpleCommands.Rewrite.class, SimpleCommands.Restore.class, SimpleCommands.Quarantine.class,
                SimpleCommands.Acknowledge.class, SimpleCommands.Policy.class, FilesystemCommands.Freeze.class,
                FilesystemCommands.Thaw.class, FilesystemCommands.Shutdown.class, FilesystemCommands.ClearFreeSpace.class,
                FilesystemCommands.Repair.class, DemoCommand.class, DaxguardCommand.VersionCommand.class,
                DaxguardCommand.CompletionCommand.class,
                CommandLine.HelpCommand.class})
public final class DaxguardCommand implements Runnable {
    @picocli.CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** What a command reads for {@code -} ({@code --from -}). */
    final InputStream stdin;

    private DaxguardCommand(InputStream stdin) {
        this.stdin = stdin;
    }

    /** For tools that make the command line from its class (the man page generator at build time). */
    private DaxguardCommand() {
        this(System.in);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is needed");
    }

    /** Runs the command line; returns the exit code. Bad arguments get a usage message, never a stack trace. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        return execute(args, System.in, out, err);
    }

    /** {@link #execute(String[], PrintWriter, PrintWriter)} reading {@code stdin} for {@code -}. */
    public static int execute(String[] args, InputStream stdin, PrintWriter out, PrintWriter err) {
        CommandLine commandLine = new CommandLine(new DaxguardCommand(stdin))
                .setOut(out).setErr(err)
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setExitCodeExceptionMapper(error -> ExitCode.FAILED)
                .setExecutionExceptionHandler((error, line, parsed) -> {
                    line.getErr().println("daxguard: " + AgentConnection.rootMessage(error));
                    return ExitCode.FAILED;
                })
                .setParameterExceptionHandler((error, args1) -> {
                    CommandLine failed = error.getCommandLine();
                    failed.getErr().println("daxguard: " + error.getMessage());
                    failed.usage(failed.getErr());
                    return ExitCode.USAGE;
                });
        int code = commandLine.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"daxguard " + Agent.version()};
        }
    }

    @Command(name = "version", description = "Print the version.")
    static final class VersionCommand implements Runnable {
        @picocli.CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @picocli.CommandLine.Mixin
        AgentCommand.JsonOption output = new AgentCommand.JsonOption();

        @Override
        public void run() {
            spec.commandLine().getOut().println(output.json ? Json.line(Json.object("version", Agent.version()))
                    : "daxguard " + Agent.version());
        }
    }

    @Command(name = "completion", description = "Print the bash completion script of daxguard (commands, options, "
            + "their values): `source <(daxguard completion bash)`, or save it as /etc/bash_completion.d/daxguard. "
            + "zsh reads it too, after `autoload -U bashcompinit && bashcompinit`.")
    static final class CompletionCommand implements Runnable {
        enum Shell { bash }

        @picocli.CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @picocli.CommandLine.Parameters(paramLabel = "SHELL", defaultValue = "bash",
                description = "The shell: ${COMPLETION-CANDIDATES} (the default).")
        Shell shell;

        @Override
        public void run() {
            spec.commandLine().getOut().print(picocli.AutoComplete.bash("daxguard", spec.root().commandLine()));
        }
    }
}
