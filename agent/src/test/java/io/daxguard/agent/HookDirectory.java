package io.daxguard.agent;

import io.daxguard.agent.ledger.AuditEntry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A directory of hook scripts for one test class (mode 0700, root's: a directory the agent accepts hooks from),
 * where the scripts also write what they were given; and the hook runs the agent audited, to wait on. Made before
 * the class's agent starts (register it before the {@link RunningAgent}), removed with everything in it after.
 */
final class HookDirectory implements BeforeAllCallback, AfterAllCallback {
    private Path directory;
    private final List<AuditEntry> runs = new ArrayList<>();

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        directory = Files.createTempDirectory("daxguard-hooks-");
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        if (directory != null) {
            AgentFixture.deleteTree(directory);
        }
    }

    Path path() {
        return directory;
    }

    /** A file in the directory. */
    Path file(String name) {
        return directory.resolve(name);
    }

    /** {@code name}, a shell script (mode 0755) running {@code body}, where {@code $DIR} is this directory. */
    Path script(String name, String body) throws IOException {
        Path script = directory.resolve(name);
        Files.writeString(script, "#!/bin/sh\nDIR='" + directory + "'\n" + body + "\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }

    /** The files whose names start with {@code prefix}, once there are at least {@code count}, waiting at most {@code bound}. */
    List<Path> awaitFiles(String prefix, int count, Duration bound) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        try (java.nio.file.WatchService watcher = directory.getFileSystem().newWatchService()) {
            directory.register(watcher, java.nio.file.StandardWatchEventKinds.ENTRY_CREATE);
            while (true) {
                List<Path> found;
                try (var files = Files.list(directory)) {
                    found = files.filter(file -> file.getFileName().toString().startsWith(prefix)).sorted().toList();
                }
                if (found.size() >= count) {
                    return found;
                }
                long left = deadline - System.nanoTime();
                java.nio.file.WatchKey key = left <= 0 ? null
                        : watcher.poll(left, java.util.concurrent.TimeUnit.NANOSECONDS);
                if (key == null) {
                    throw new AssertionError(count + " files " + prefix + "* expected within " + bound + "; found "
                            + found);
                }
                key.pollEvents();
                key.reset();
            }
        }
    }

    /** For {@code Hooks.onAudited}: every run the agent audited. */
    synchronized void audited(AuditEntry entry) {
        runs.add(entry);
        notifyAll();
    }

    /** The first audited run {@code wanted} accepts, waiting for it at most {@code bound}. */
    synchronized AuditEntry awaitRun(Predicate<AuditEntry> wanted, Duration bound) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        while (true) {
            for (AuditEntry run : runs) {
                if (wanted.test(run)) {
                    return run;
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no such hook run audited within " + bound + "; audited: " + runs);
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    /** The runs audited so far that {@code wanted} accepts. */
    synchronized List<AuditEntry> runs(Predicate<AuditEntry> wanted) {
        return runs.stream().filter(wanted).toList();
    }
}
