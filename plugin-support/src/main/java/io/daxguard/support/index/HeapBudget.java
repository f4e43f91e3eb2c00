package io.daxguard.support.index;

import io.daxguard.spi.LinuxPath;
import java.io.IOException;

/**
 * Whether the JVM's heap can hold a full build of an index, asked before the walk starts: a build that runs out of heap
 * ends the whole agent ({@code -XX:+ExitOnOutOfMemoryError} in the shipped launchers, and a restart loop under
 * systemd), where a refused build leaves the agent running, the filesystem held, and its status saying what to set.
 * The rule is the README's sizing rule: 64 MiB for the agent plus 300 MiB per million extents at a build's peak (the
 * old index kept until the new one is ready, the one being assembled, and room for the collector: so the old index is
 * not counted again), counted here by the inodes in use, which is what is
 * known before the walk (a file has about one extent on the filesystems measured; a fragmented tree has more, and the
 * rule's margin covers some of it).
 */
final class HeapBudget {
    static final long AGENT_BYTES = 64L << 20;
    static final long PEAK_BYTES_PER_FILE = 300;

    private HeapBudget() {
    }

    /** Refused for lack of heap: the message names the filesystem, the need, the heap and the setting. */
    static final class HeapTooSmallException extends IOException {
        HeapTooSmallException(String message) {
            super(message);
        }
    }

    /**
     * Throws when a full build of {@code root}'s index, about {@code inodesInUse} files, needs more than
     * {@code maxHeapBytes} ({@link Runtime#maxMemory()}).
     */
    static void checkFullBuild(LinuxPath root, long inodesInUse, long maxHeapBytes) throws HeapTooSmallException {
        long needed = AGENT_BYTES + Math.max(0, inodesInUse) * PEAK_BYTES_PER_FILE;
        if (maxHeapBytes != Long.MAX_VALUE && needed > maxHeapBytes) {
            // -Xmx is not all usable: the JVM reports (maxMemory) the heap less a survivor space, ~3 % under Serial.
            long suggestMiB = ((needed + needed / 20 >> 20) + 63) / 64 * 64;
            throw new HeapTooSmallException("not indexing " + root + ": a build of ~" + inodesInUse + " files needs"
                    + " about " + (needed >> 20) + " MiB of heap and the agent has " + (maxHeapBytes >> 20)
                    + " MiB; set DAXGUARD_HEAP=" + suggestMiB + "m (64 MiB + 300 MiB per million extents, summed over"
                    + " the indexed filesystems: README, Memory) and restart the agent");
        }
    }

    /**
     * The largest saved index that may be read back into a heap of {@code maxHeapBytes}: it is held in memory as
     * large as it is on disk, beside the catch-up build that follows, so it may take at most half of what the agent
     * leaves. A larger one would end the JVM ({@code -XX:+ExitOnOutOfMemoryError}) at every start; ignored instead,
     * the full build is then sized by {@link #checkFullBuild}.
     */
    static long largestLoadableIndex(long maxHeapBytes) {
        return maxHeapBytes == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(0, maxHeapBytes - AGENT_BYTES) / 2;
    }
}
