package io.daxguard.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A thread that swaps a directory for a symlink to a decoy directory, and back, in a loop, until closed: how an
 * attacker who can write the parent tries to make a root process act on another file. Owns its thread; close stops
 * and joins it and leaves the directory in place; a swap that failed is rethrown by close.
 */
final class SymlinkSwapper implements AutoCloseable {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong swaps = new AtomicLong();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final Thread thread;
    private final Path directory;
    private final Path away;

    private SymlinkSwapper(Path directory, Path decoy) {
        this.directory = directory;
        this.away = directory.resolveSibling(directory.getFileName() + ".away");
        thread = new Thread(() -> {
            try {
                while (running.get()) {
                    Files.move(directory, away);
                    Files.createSymbolicLink(directory, decoy);
                    Files.delete(directory);
                    Files.move(away, directory);
                    swaps.incrementAndGet();
                }
            } catch (IOException | RuntimeException e) {
                failure.set(e);
            }
        }, "symlink-swapper " + directory.getFileName());
    }

    /** Starts swapping {@code directory} for a symlink to {@code decoy}. */
    static SymlinkSwapper start(Path directory, Path decoy) {
        SymlinkSwapper swapper = new SymlinkSwapper(directory, decoy);
        swapper.thread.start();
        return swapper;
    }

    long swaps() {
        return swaps.get();
    }

    @Override
    public void close() throws Exception {
        running.set(false);
        thread.join();
        if (failure.get() != null) {
            throw failure.get();
        }
    }
}
