package io.daxguard.agent.hooks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Waits for a file a hook makes, woken by the directory's changes (inotify), not by polling. */
final class HookDirectoryWait {
    private HookDirectoryWait() {
    }

    static void awaitFile(Path file, Duration bound) throws Exception {
        long deadline = System.nanoTime() + bound.toNanos();
        try (WatchService watcher = file.getFileSystem().newWatchService()) {
            file.getParent().register(watcher, StandardWatchEventKinds.ENTRY_CREATE);
            while (!Files.exists(file)) {
                long left = deadline - System.nanoTime();
                WatchKey key = left <= 0 ? null : watcher.poll(left, TimeUnit.NANOSECONDS);
                if (key == null) {
                    throw new AssertionError(file + " not made within " + bound);
                }
                key.pollEvents();
                key.reset();
            }
        }
    }
}
