package io.daxguard.agent.source.scrub;

import io.daxguard.support.MemberHolder;
import io.daxguard.spi.Holder;
import java.util.List;
import java.io.IOException;

/**
 * Counts a filesystem's written bytes, and those before the scrub's position (read before a resume), with one
 * whole walk of its map on a short-lived thread of its own ({@code daxguard-scrub-count <mount point>}), so the
 * scrub's first reads do not wait for that walk (on a 200k-file XFS it is a second of GETFSMAP). Owned by the
 * scrub thread that starts it, which {@link #await}s it before the scrub finishes or leaves; the walk ends by
 * itself, nothing interrupts it.
 */
final class WrittenBytesCount {
    private static final System.Logger LOG = System.getLogger(WrittenBytesCount.class.getName());

    private final Thread thread;
    private volatile long total = -1;
    private volatile long beforePosition;
    private volatile IOException failure;

    private WrittenBytesCount(Holder holder, List<Scrubber.Member> members, long position, String mountPoint) {
        this.thread = new Thread(() -> count(holder, members, position, mountPoint),
                "daxguard-scrub-count " + mountPoint);
        thread.setDaemon(true);
    }

    /** Counts the written bytes of every member, offsets placed in the scrub's position ({@link Scrubber.Member}). */
    static WrittenBytesCount start(Holder holder, List<Scrubber.Member> members, long position, String mountPoint) {
        WrittenBytesCount count = new WrittenBytesCount(holder, members, position, mountPoint);
        count.thread.start();
        return count;
    }

    private void count(Holder holder, List<Scrubber.Member> members, long position, String mountPoint) {
        long[] sums = new long[2];
        try {
            for (Scrubber.Member member : members) {
                MemberHolder.of(holder, member.device().number()).forEachWrittenExtent(0, member.size(),
                        (offset, length) -> {
                            long at = member.base() + offset;
                            sums[0] += length;
                            if (at < position) {
                                sums[1] += Math.min(length, position - at);
                            }
                        });
            }
            beforePosition = sums[1];
            total = sums[0]; // last: a reader that sees the total sees the rest
        } catch (IOException | RuntimeException e) {
            failure = e instanceof IOException io ? io : new IOException(e);
            LOG.log(System.Logger.Level.WARNING, "cannot count the written bytes of " + mountPoint + ": " + e.getMessage());
        }
    }

    /** Written bytes of the filesystem; -1 until counted. */
    long total() {
        return total;
    }

    /** Written bytes before the position the scrub (re)started at; 0 until counted. */
    long beforePosition() {
        return beforePosition;
    }

    /** Waits for the count to end, even when interrupted (the interrupt is kept); throws what stopped it. */
    void await() throws IOException {
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure != null) {
            throw failure;
        }
    }
}
