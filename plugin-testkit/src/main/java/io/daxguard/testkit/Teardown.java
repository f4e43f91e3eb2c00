package io.daxguard.testkit;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.stream.Stream;

/**
 * The undo steps of a fixture: each step that makes something pushes the step that removes it, and
 * {@link #undo(String)} runs them newest first. Every step runs even when an earlier one fails, so a fixture
 * whose setup stopped half way is still taken apart as far as it can be, and no failure is lost.
 *
 * <p>Not thread-safe: the fixture that owns it serialises its calls.
 */
final class Teardown {
    private final Deque<Step> steps = new ArrayDeque<>();

    /** One undo step; it may throw, the steps after it still run. */
    @FunctionalInterface
    interface Step {
        void run() throws IOException;
    }

    /** Adds a step, to run before every step pushed so far. */
    void push(Step step) {
        steps.push(requireNonNull(step, "step is null"));
    }

    /**
     * Runs {@code make}, a fixture's setup; if it fails, runs {@code close} (the fixture's, undoing every step made so
     * far) and rethrows, with what the cleanup threw suppressed.
     */
    static void makeOrUndo(Step make, Step close) throws IOException {
        try {
            make.run();
        } catch (IOException | RuntimeException e) {
            try {
                close.run();
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /**
     * Runs and forgets every step, newest first. Throws an {@link IOException} saying {@code what} was being
     * cleaned up, caused by the first failure, with the later ones suppressed; a second call does nothing.
     */
    void undo(String what) throws IOException {
        IOException first = null;
        while (!steps.isEmpty()) {
            try {
                steps.pop().run();
            } catch (IOException | RuntimeException e) {
                if (first == null) {
                    first = new IOException(what, e);
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /**
     * Unmounts {@code where} with {@code command} (for example {@code umount}, or {@code fusermount3 -u}). A busy
     * mount (a test left a file open) is then detached with {@code lazyOption}, so the layers below can go now;
     * the kernel finishes the unmount when the last file closes.
     */
    static void unmount(Path where, String lazyOption, String... command) throws IOException {
        List<String> argv = new ArrayList<>(List.of(command));
        argv.add(where.toString());
        if (Command.tryRun(argv.toArray(String[]::new)).exitCode() != 0) {
            argv.add(argv.size() - 1, lazyOption);
            Command.run(argv.toArray(String[]::new));
        }
    }

    /** Deletes {@code root} and everything below it, deepest first; nothing if it does not exist. */
    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
