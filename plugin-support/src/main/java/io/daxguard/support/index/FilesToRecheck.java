package io.daxguard.support.index;

import io.daxguard.spi.DeviceNumber;
import io.daxguard.support.linux.SharedWritableMappings;
import java.io.IOException;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Inodes the next incremental refresh checks again by their names although no event named them
 * ({@link IncrementalRefresh}): those whose record live confirmation rejected since the last build, and the files some
 * process maps shared and writable now. Reported from any thread, taken on the index thread.
 */
final class FilesToRecheck {
    private final Set<Long> rejected = ConcurrentHashMap.newKeySet();

    /**
     * Live confirmation rejected {@code inode}'s record, which no event may explain (a file deleted and made again
     * under its name and inode number, without a writable open).
     */
    void rejected(long inode) {
        rejected.add(inode);
    }

    /** The rejected inodes reported so far, taken: each is reported to one build only. */
    Set<Long> takeRejected() {
        Set<Long> taken = new HashSet<>();
        for (Long inode : rejected) {
            rejected.remove(inode);
            taken.add(inode);
        }
        return taken;
    }

    /**
     * {@link #takeRejected} and the inodes of {@code device} mapped shared and writable now (their stores send no
     * event until unmapped).
     *
     * @throws IOException when {@code /proc} cannot be read: then only a full build is exact
     */
    Set<Long> take(DeviceNumber device) throws IOException {
        Set<Long> taken = takeRejected();
        taken.addAll(SharedWritableMappings.on(device));
        return taken;
    }
}
