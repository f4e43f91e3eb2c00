package io.daxguard.agent.hooks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One hook run's cgroup: the run's program enters it before it is executed (so whatever it starts is born inside),
 * and {@link #close} kills what is left in it ({@code cgroup.kill}: SIGKILL to every process, however it was
 * reparented), waits for them to be gone, and removes it. Used by the one hook thread running the run.
 *
 * @param directory the cgroup's directory in the cgroup2 filesystem
 */
record HookCgroup(Path directory) implements AutoCloseable {
    /**
     * Enters the cgroup and executes the program, argument 2 on, with its own name as {@code argv[0]}. A shell, the
     * only way to join a cgroup between fork and exec from Java: {@code echo 0 > cgroup.procs} moves the shell
     * itself, then {@code exec} replaces it. PWD, which the shell sets, is unset, so the program's environment is
     * what the agent gave. If the cgroup cannot be entered the program still runs (its notification matters more),
     * and its standard error, audited, says so.
     */
    private static final String ENTER_AND_EXEC = "echo 0 > \"$1/cgroup.procs\" || echo \"daxguard: the run is not in "
            + "its cgroup $1: a process it leaves behind may outlive it\" >&2; shift; unset PWD; exec \"$@\"";
    /** How long the killed processes are waited for: SIGKILL is not refused; the bound is against a stuck kernel. */
    private static final Duration KILLED_WAIT = Duration.ofSeconds(5);

    static HookCgroup make(Path directory) throws IOException {
        Files.createDirectory(directory);
        return new HookCgroup(directory);
    }

    /** The command that runs {@code program} inside this cgroup. */
    List<String> command(Path program) {
        return List.of("/bin/sh", "-c", ENTER_AND_EXEC, "daxguard-hook", directory.toString(), program.toString());
    }

    /** Whether any process is in it ({@code cgroup.events}: {@code populated 1}). */
    boolean populated() throws IOException {
        try {
            return Files.readAllLines(directory.resolve("cgroup.events"), StandardCharsets.UTF_8).contains("populated 1");
        } catch (NoSuchFileException gone) {
            return false;
        }
    }

    /**
     * Kills every process in the cgroup, waits until none is left (each one's exit, by its pid), and removes it. A
     * process killed this way is gone from the cgroup once it exited, even while a zombie waiting for its parent.
     */
    @Override
    public void close() throws IOException {
        if (!Files.isDirectory(directory)) {
            return;
        }
        boolean interrupted = Thread.interrupted(); // the agent stops: still kill, and wait the bounded time
        try {
            long deadline = System.nanoTime() + KILLED_WAIT.toNanos();
            if (populated()) {
                Files.writeString(directory.resolve("cgroup.kill"), "1");
            }
            while (populated()) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("processes in " + directory + " still running " + KILLED_WAIT.toSeconds()
                            + " s after cgroup.kill");
                }
                for (String pid : Files.readAllLines(directory.resolve("cgroup.procs"), StandardCharsets.UTF_8)) {
                    awaitExit(Long.parseLong(pid.trim()), deadline);
                }
                Thread.onSpinWait(); // populated drops when the last one exits, just after it leaves cgroup.procs
            }
            Files.delete(directory);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void awaitExit(long pid, long deadline) {
        ProcessHandle.of(pid).ifPresent(process -> {
            try {
                process.onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException | ExecutionException | TimeoutException e) {
                // the loop reads populated again and ends at the deadline
            }
        });
    }
}
