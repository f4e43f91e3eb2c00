package io.daxguard.agent.hooks;

import io.daxguard.spi.LinuxPath;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One run of one hook for one event, on the calling hook thread: the program checked again, started in a clean
 * environment (a fixed {@code PATH}, the event's variables, nothing of the agent's), the event written to its
 * standard input and that closed, its output read (the first {@link #KEPT_BYTES} of each stream kept, the rest
 * read and dropped, so a chatty hook neither blocks nor fills memory), and the process with every descendant killed
 * at its timeout or when the agent stops (this thread interrupted). Each run has a cgroup of its own where it can
 * ({@link HookCgroups}): everything the program started is killed with it, a daemon that left its process tree too,
 * and whatever it left running when it exited is killed then.
 *
 * <p>Writing the input and reading the outputs happen on {@code io} (threads {@code daxguard-hook-io-N}), so a
 * hook that reads nothing or writes much cannot hold the hook thread past the timeout.
 */
final class HookRun {
    /** Bytes of standard output and of standard error kept per run, for the log and the audit. */
    static final int KEPT_BYTES = 4096;
    /** Bytes of standard error the audit entry quotes. */
    static final int AUDITED_BYTES = 512;
    /** What the environment's PATH is: the system's directories, never the agent's own PATH. */
    static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    /** How long the output readers are waited for once the process ended (a grandchild may still hold a pipe). */
    private static final Duration DRAIN_AFTER_EXIT = Duration.ofSeconds(2);
    private static final System.Logger LOG = System.getLogger(HookRun.class.getName());

    private HookRun() {
    }

    static HookResult run(HookSettings hook, HookEvent event, ExecutorService io, HookCgroups cgroups) {
        Optional<String> problem = ProgramCheck.problem(hook.program());
        if (problem.isPresent()) {
            return HookResult.notRun(HookResult.Outcome.REFUSED, hook.field() + ".program: " + problem.get());
        }
        Optional<HookCgroup> cgroup = cgroupOf(cgroups);
        try {
            return run(hook, event, io, cgroup);
        } finally {
            cgroup.ifPresent(HookRun::remove);
        }
    }

    private static HookResult run(HookSettings hook, HookEvent event, ExecutorService io, Optional<HookCgroup> cgroup) {
        ProcessBuilder builder = new ProcessBuilder(cgroup.map(group -> group.command(hook.program()))
                .orElse(List.of(hook.program().toString()))).directory(new java.io.File("/"));
        builder.environment().clear();
        builder.environment().put("PATH", PATH);
        builder.environment().put("HOME", "/");
        builder.environment().putAll(event.environment());
        long started = System.nanoTime();
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            return HookResult.notRun(HookResult.Outcome.NOT_STARTED, String.valueOf(e.getMessage()));
        }
        byte[] input = event.json().getBytes(StandardCharsets.UTF_8);
        Future<byte[]> stdout;
        Future<byte[]> stderr;
        try {
            io.submit(() -> write(process.getOutputStream(), input));
            stdout = io.submit(() -> head(process.getInputStream()));
            stderr = io.submit(() -> head(process.getErrorStream()));
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            killTree(process, cgroup); // the agent stops: nobody would read its output or end it
            return HookResult.notRun(HookResult.Outcome.KILLED_AT_STOP, "the agent stopped");
        }
        HookResult.Outcome outcome = HookResult.Outcome.EXITED;
        try {
            if (!process.waitFor(hook.timeout().toNanos(), TimeUnit.NANOSECONDS)) {
                killTree(process, cgroup);
                outcome = HookResult.Outcome.KILLED_AFTER_TIMEOUT;
            }
        } catch (InterruptedException stopping) {
            killTree(process, cgroup);
            outcome = HookResult.Outcome.KILLED_AT_STOP;
            Thread.currentThread().interrupt();
        }
        // The run ends with its program: whatever it left running is killed now, so nothing outlives the run (and
        // no leftover holds its output pipes).
        cgroup.ifPresent(HookRun::remove);
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        int status = outcome == HookResult.Outcome.EXITED ? process.exitValue() : -1;
        return new HookResult(outcome, status, took, "", shown(stdout), shown(stderr));
    }

    /**
     * Kills the process and every process it started: with its cgroup, every process in it, however reparented.
     * Without one (or if that fails), the process tree: the descendants are listed before the process dies (once it
     * is gone its children belong to init and are no longer found under it); a process that left the tree before
     * (a daemon) is not found.
     */
    static void killTree(Process process, Optional<HookCgroup> cgroup) {
        if (cgroup.isEmpty() || !remove(cgroup.get())) {
            List<ProcessHandle> descendants = process.descendants().toList();
            process.destroyForcibly();
            descendants.forEach(ProcessHandle::destroyForcibly);
        }
        try {
            process.onExit().get(5, TimeUnit.SECONDS); // SIGKILL is not refused; the bound is against a stuck kernel
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // Logged with the run's result: it says killed.
        }
    }

    private static Optional<HookCgroup> cgroupOf(HookCgroups cgroups) {
        try {
            return cgroups.create();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "hook run without a cgroup of its own (a process it leaves may "
                    + "outlive it): " + e);
            return Optional.empty();
        }
    }

    /** Kills what is in the run's cgroup and removes it; false if that failed (logged). Idempotent. */
    private static boolean remove(HookCgroup cgroup) {
        try {
            cgroup.close();
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "could not kill and remove the hook run's cgroup " + cgroup.directory()
                    + ": " + e);
            return false;
        }
    }

    private static void write(OutputStream stdin, byte[] input) {
        try (stdin) {
            stdin.write(input);
        } catch (IOException hookClosedItsInput) {
            // A hook need not read its input: EPIPE is its choice.
        }
    }

    /** The first {@link #KEPT_BYTES} of {@code stream}; the rest read and dropped until it ends. */
    private static byte[] head(InputStream stream) throws IOException {
        byte[] kept = new byte[KEPT_BYTES];
        int length = 0;
        byte[] buffer = new byte[8192];
        try (stream) {
            for (int read; (read = stream.read(buffer)) >= 0; ) {
                int take = Math.min(read, KEPT_BYTES - length);
                System.arraycopy(buffer, 0, kept, length, take);
                length += take;
            }
        }
        return Arrays.copyOf(kept, length);
    }

    /** What a stream gave, in the display form of names (a newline is {@code \x0a}), trailing newlines left out. */
    private static String shown(Future<byte[]> output) {
        byte[] bytes;
        try {
            bytes = output.get(DRAIN_AFTER_EXIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        } catch (ExecutionException | TimeoutException e) {
            return ""; // a process the hook started that escaped the kill still holds the pipe
        }
        int length = bytes.length;
        while (length > 0 && (bytes[length - 1] == '\n' || bytes[length - 1] == '\r')) {
            length--;
        }
        return length == 0 ? "" : LinuxPath.displayOf(Arrays.copyOf(bytes, length));
    }
}
