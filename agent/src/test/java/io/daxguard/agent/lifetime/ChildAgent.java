package io.daxguard.agent.lifetime;

import io.daxguard.agent.cli.DaxguardCommand;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanServerConnection;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * One run of the agent in a child JVM ({@link LifetimeAgentDriver}) and a real JMX connection to it. The agent
 * can be killed ({@code kill -9}: no shutdown hook, no flush) or stopped ({@code SIGTERM}); {@link #close()}
 * kills whatever still runs and waits for the process to end, also when the test failed.
 */
final class ChildAgent implements AutoCloseable {
    private final Process process;
    private final String url;
    private final JMXConnector connector;

    private ChildAgent(Process process, String url, JMXConnector connector) {
        this.process = process;
        this.url = url;
        this.connector = connector;
    }

    /** Starts an agent on {@code state} holding what is mounted below {@code watched}; its log goes to {@code log}. */
    static ChildAgent start(Path state, Path watched, Path log) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path"), LifetimeAgentDriver.class.getName(),
                state.toString(), watched.toString()));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        try {
            // The first line, or the end of the output when the child failed to start (its log says why).
            String first = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            if (first == null || !first.startsWith("jmx ")) {
                throw new IOException("the agent did not start (first line " + first + "); see " + log);
            }
            String url = first.substring("jmx ".length());
            return new ChildAgent(process, url, JMXConnectorFactory.connect(new JMXServiceURL(url)));
        } catch (IOException | RuntimeException e) {
            process.destroyForcibly();
            waitFor(process);
            throw e;
        }
    }

    MBeanServerConnection remote() throws IOException {
        return connector.getMBeanServerConnection();
    }

    /** What {@code daxguard ARGS --url URL} prints and exits with, as an operator runs it. */
    CommandResult cli(String... args) {
        List<String> argv = new ArrayList<>(List.of(args));
        argv.add("--url");
        argv.add(url);
        return CommandResult.run(argv.toArray(String[]::new));
    }

    long pid() {
        return process.pid();
    }

    /** {@code kill -9}: the agent gets no chance to flush or close anything. */
    void kill() throws IOException {
        closeConnector();
        try {
            new ProcessBuilder("kill", "-9", String.valueOf(process.pid())).start().waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while killing the agent", e);
        }
        waitFor(process);
    }

    /** {@code SIGTERM}: the agent stops as a service does (its shutdown hook closes it). */
    void stop() throws IOException {
        closeConnector();
        process.destroy();
        waitFor(process);
    }

    @Override
    public void close() throws IOException {
        try {
            closeConnector();
        } finally {
            process.destroyForcibly();
            waitFor(process);
        }
    }

    private void closeConnector() {
        try {
            connector.close();
        } catch (IOException | RuntimeException gone) {
            // The agent may be dead already: nothing left to close on its side.
        }
    }

    private static void waitFor(Process process) throws IOException {
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IOException("the agent (pid " + process.pid() + ") did not end within 30 s of a kill");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the agent to end", e);
        }
    }

    /** A run of the {@code daxguard} command line, in this JVM. */
    record CommandResult(int exitCode, String out, String err) {
        static CommandResult run(String... args) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int exit = DaxguardCommand.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
            return new CommandResult(exit, out.toString(), err.toString());
        }
    }
}
