package io.daxguard.agent.source.trace;

import io.daxguard.support.linux.Mounts;
import io.daxguard.support.linux.NativeCallException;
import io.daxguard.support.linux.NativeFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A tracefs instance of daxguard's own ({@code <tracefs>/instances/daxguard-<pid>}) with the
 * {@code block:block_rq_error} event enabled, and its {@code trace_pipe} open for reading. An instance has its own
 * ring buffer and event switches, so daxguard neither sees nor disturbs what an administrator traces in the top-level
 * buffer, and two agents never share one.
 *
 * <p>tracefs is mounted on {@code /sys/kernel/tracing} when it is not mounted yet, as rasdaemon does (and left
 * mounted: other tools expect it there). Instances left by an agent that died (kill -9) are removed when their
 * process is gone. {@link #close} disables the event and removes the instance.
 */
final class TraceInstance implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(TraceInstance.class.getName());
    static final String EVENT = "events/block/block_rq_error";
    private static final String PREFIX = "daxguard-";
    private static final java.util.concurrent.atomic.AtomicLong NEXT = new java.util.concurrent.atomic.AtomicLong();

    private final Path directory;
    private final NativeFile pipe;

    private TraceInstance(Path directory, NativeFile pipe) {
        this.directory = directory;
        this.pipe = pipe;
    }

    /**
     * Makes and enables a new instance.
     *
     * @param tracefs where tracefs is (or is to be) mounted, {@code /sys/kernel/tracing}
     * @param mounts  the mount table to look for it in ({@code /proc/self/mounts})
     * @throws IOException when tracing cannot be had here (no tracefs in the kernel, no permission, no such event):
     *                     the message says which, and the kernel log stays the source of block errors
     */
    static TraceInstance open(Path tracefs, Path mounts) throws IOException {
        if (!isMounted(tracefs, mounts)) {
            if (!Files.isDirectory(tracefs)) {
                throw new IOException("no " + tracefs + " (the kernel has no tracefs)");
            }
            Mounts.mountPseudo("tracefs", tracefs);
            LOG.log(System.Logger.Level.INFO, "mounted tracefs on " + tracefs);
        }
        Path instances = tracefs.resolve("instances");
        if (!Files.isDirectory(instances.getParent().resolve(EVENT))) {
            throw new IOException("the kernel has no " + EVENT + " trace event");
        }
        removeInstancesOfDeadAgents(instances);
        // pid and the process's start time: a pid reused by another process does not keep a dead agent's instance.
        Path directory = instances.resolve(PREFIX + ProcessHandle.current().pid() + "-" + startMillis(ProcessHandle
                .current()) + "-" + NEXT.incrementAndGet());
        Files.createDirectory(directory);
        try {
            // CLOCK_MONOTONIC, as System.nanoTime(): an event's time can be set against when daxguard itself read.
            Files.writeString(directory.resolve("trace_clock"), "mono", StandardCharsets.US_ASCII);
            Files.writeString(directory.resolve(EVENT).resolve("enable"), "1", StandardCharsets.US_ASCII);
            return new TraceInstance(directory, NativeFile.openReadOnly(directory.resolve("trace_pipe")));
        } catch (IOException | RuntimeException e) {
            removeQuietly(directory);
            throw e;
        }
    }

    private static boolean isMounted(Path tracefs, Path mounts) throws IOException {
        for (String line : Files.readAllLines(mounts, StandardCharsets.ISO_8859_1)) {
            String[] fields = line.split(" ");
            if (fields.length > 2 && fields[2].equals("tracefs") && Path.of(fields[1]).equals(tracefs)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Instances named {@code daxguard-<pid>-<start millis>-<n>} whose process is gone (or is another process with the
     * same pid now): left by an agent that was killed. An agent in another pid namespace sharing this tracefs would
     * take the host agent's instances for dead ones: run one agent per host.
     */
    private static void removeInstancesOfDeadAgents(Path instances) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(instances, PREFIX + "*")) {
            for (Path entry : entries) {
                String[] parts = entry.getFileName().toString().split("-");
                if (parts.length == 4 && parts[1].matches("[0-9]{1,10}") && parts[2].matches("[0-9]{1,19}")
                        && !ProcessHandle.of(Long.parseLong(parts[1]))
                                .map(process -> startMillis(process) == Long.parseLong(parts[2])).orElse(false)) {
                    LOG.log(System.Logger.Level.INFO, "removing " + entry + ", left by an agent that is gone");
                    removeQuietly(entry);
                }
            }
        }
    }

    private static long startMillis(ProcessHandle process) {
        return process.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L);
    }

    /** The instance's {@code trace_pipe}, opened non-blocking: a read returns what is there or EAGAIN. */
    NativeFile pipe() {
        return pipe;
    }

    Path directory() {
        return directory;
    }

    @Override
    public void close() {
        try {
            pipe.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "closing " + directory + "/trace_pipe: " + e.getMessage());
        }
        removeQuietly(directory);
    }

    private static void removeQuietly(Path directory) {
        try {
            Files.writeString(directory.resolve(EVENT).resolve("enable"), "0", StandardCharsets.US_ASCII);
        } catch (IOException | RuntimeException e) {
            // gone already, or never enabled: removing the instance turns it off anyway
        }
        try {
            Files.delete(directory); // rmdir: tracefs removes the instance with its files
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot remove the trace instance " + directory + ": " + e);
        }
    }

    /** For tests: the instances of this process now. */
    static List<Path> instancesOfThisProcess(Path tracefs) throws IOException {
        try (var entries = Files.list(tracefs.resolve("instances"))) {
            return entries.filter(entry -> entry.getFileName().toString()
                    .startsWith(PREFIX + ProcessHandle.current().pid() + "-")).toList();
        }
    }
}
