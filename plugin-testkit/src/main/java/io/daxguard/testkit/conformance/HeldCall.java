package io.daxguard.testkit.conformance;

import io.daxguard.spi.Holder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Holder#forEachWrittenExtent} call held open on a thread of its own: its consumer stops at the first
 * extent until {@link #release()}. While it is held, the holder is certainly inside a call, so what the suite does
 * meanwhile (other calls, {@code umount}) happens during one, deterministically and without sleeping. The
 * timeouts only keep a broken holder from hanging the build; no check depends on timing.
 */
final class HeldCall implements AutoCloseable {
    /** How long a step may take before the suite gives up on a holder that hangs. */
    static final Duration GUARD = Duration.ofMinutes(2);

    private final CountDownLatch inside = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);
    private final List<ScrubChecks.Visited> visited = new ArrayList<>();
    private final Thread thread;
    private volatile Throwable failure;

    private HeldCall(Holder holder, long from, long to) {
        thread = new Thread(() -> {
            try {
                holder.forEachWrittenExtent(from, to, (offset, length) -> {
                    visited.add(new ScrubChecks.Visited(offset, length));
                    inside.countDown();
                    awaitQuietly(released);
                });
            } catch (Throwable e) {
                failure = e;
            } finally {
                inside.countDown();
                finished.countDown();
            }
        }, "conformance-held-call");
        thread.setDaemon(true);
    }

    /** Starts the call and returns once it is inside (at its first extent), or has ended without one. */
    static HeldCall start(Holder holder, long from, long to) throws InterruptedException {
        HeldCall call = new HeldCall(holder, from, to);
        call.thread.start();
        if (!call.inside.await(GUARD.toMillis(), TimeUnit.MILLISECONDS)) {
            call.release();
            throw new AssertionError("forEachWrittenExtent[" + from + ", " + to + ") visited nothing in "
                    + GUARD + ": it hangs");
        }
        return call;
    }

    /** Whether the call is held inside its consumer now (false: it ended without visiting an extent). */
    boolean isHeld() {
        return finished.getCount() == 1;
    }

    void release() {
        released.countDown();
    }

    /** Releases the call and waits for its end; what it visited, or the error it ended with. */
    List<ScrubChecks.Visited> finish() throws Throwable {
        release();
        if (!finished.await(GUARD.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("forEachWrittenExtent did not return within " + GUARD + " after its consumer"
                    + " returned");
        }
        if (failure != null) {
            throw failure;
        }
        return List.copyOf(visited);
    }

    @Override
    public void close() {
        release();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(GUARD.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
