package io.daxguard.agent.cli;

import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import javax.management.JMException;
import javax.management.MBeanException;
import javax.management.MBeanServerConnection;
import javax.management.RuntimeMBeanException;
import javax.management.remote.JMXConnector;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A command that talks to a running agent over JMX; turns every failure into a message and an exit code. */
abstract class AgentCommand implements Callable<Integer> {
    @Mixin
    AgentConnection.Options connection = new AgentConnection.Options();

    @Spec
    CommandSpec spec;

    /** {@code --json} for a command that prints one answer: one JSON object on one line instead of text. */
    static final class JsonOption {
        @picocli.CommandLine.Option(names = "--json", description = "Print the answer as one JSON object on one line, "
                + "for scripts")
        boolean json;
    }

    /** What {@code -} reads: the standard input the command line was given ({@link DaxguardCommand#execute}). */
    java.io.InputStream stdin() {
        return ((DaxguardCommand) spec.root().userObject()).stdin;
    }

    /** Runs against the agent; returns the exit code. */
    abstract int run(MBeanServerConnection agent, PrintWriter out) throws Exception;

    /**
     * Runs without an agent when the command's options ask for that ({@code status --offline}): the exit code, or
     * empty to connect to the agent and {@link #run} there.
     */
    Optional<Integer> runWithoutAgent(PrintWriter out, PrintWriter err) {
        return Optional.empty();
    }

    @Override
    public final Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Optional<Integer> withoutAgent = runWithoutAgent(out, err);
        if (withoutAgent.isPresent()) {
            out.flush();
            return withoutAgent.get();
        }
        try (JMXConnector connector = AgentConnection.open(connection)) {
            int code = run(AgentConnection.connection(connector), out);
            out.flush();
            return code;
        } catch (AgentConnection.AgentUnreachableException unreachable) {
            err.println("daxguard: " + unreachable.getMessage());
            return ExitCode.NO_AGENT;
        } catch (SecurityException refused) {
            err.println("daxguard: refused: " + refused.getMessage());
            return ExitCode.NO_AGENT;
        } catch (RuntimeMBeanException | MBeanException failed) {
            Throwable cause = failed.getCause() != null ? failed.getCause() : failed;
            err.println("daxguard: " + cause.getMessage());
            return cause instanceof IllegalArgumentException ? ExitCode.USAGE : ExitCode.FAILED;
        } catch (javax.management.InstanceNotFoundException missing) {
            err.println("daxguard: the agent has no " + missing.getMessage());
            return ExitCode.FAILED;
        } catch (javax.management.ReflectionException noSuchOperation) {
            err.println("daxguard: this agent does not support that operation: "
                    + AgentConnection.rootMessage(noSuchOperation));
            return ExitCode.FAILED;
        } catch (Exception e) {
            Throwable cause = e instanceof JMException || e.getCause() == null ? e : e.getCause();
            err.println("daxguard: " + (cause instanceof SecurityException ? "refused: " : "")
                    + AgentConnection.rootMessage(cause));
            return cause instanceof SecurityException ? ExitCode.NO_AGENT : ExitCode.FAILED;
        }
    }
}
