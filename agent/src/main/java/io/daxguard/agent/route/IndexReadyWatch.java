package io.daxguard.agent.route;

import io.daxguard.agent.failure.DamageListener;
import io.daxguard.agent.plugins.AttachedFilesystem;
import io.daxguard.spi.Holder;
import io.daxguard.spi.ReverseMapStatus;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

/**
 * Waits for the first index build of each newly held filesystem whose holder builds one (ext4, XFS without
 * rmapbt), then has {@link UnknownOwners} look again at the unknown owners recorded meanwhile: a failure that came
 * while the index was being built is recorded at once (routing never waits for an index) but can only name
 * the files it hit once the index is ready.
 *
 * <p>Threads: one {@code daxguard-index-wait} thread per filesystem whose index is being built, ending when
 * the build is done, fails or its holder closes; {@link #close} (by the agent) interrupts them.
 * The look itself runs on the router thread. It hears of each attached filesystem as a {@link DamageListener}.
 */
public final class IndexReadyWatch implements DamageListener, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(IndexReadyWatch.class.getName());
    /** How long one wait lasts before the build's state is read again (a failed build ends the wait). */
    private static final Duration WAIT_SLICE = Duration.ofSeconds(30);

    /** Looks again at a filesystem's unknown owners, on the calling (waiter) thread; how many were replaced. */
    @FunctionalInterface
    public interface LookAgain {
        int lookAgain(AttachedFilesystem filesystem) throws InterruptedException, ExecutionException;
    }

    private final LookAgain lookAgain;
    private final ExecutorService waiters = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "daxguard-index-wait");
        thread.setDaemon(true);
        return thread;
    });

    public IndexReadyWatch(LookAgain lookAgain) {
        this.lookAgain = lookAgain;
    }

    @Override
    public void attached(AttachedFilesystem filesystem) {
        watch(filesystem);
    }

    /**
     * Starts waiting when {@code filesystem}'s holder builds an index of its own, also when it is ready already
     * (a small filesystem's build may end before attach returns, and records kept from an earlier run may name
     * unknown owners); otherwise nothing.
     */
    void watch(AttachedFilesystem filesystem) {
        if (filesystem.holder().isEmpty() || filesystem.holder().get().reverseMapStatus().isEmpty()) {
            return;
        }
        Holder holder = filesystem.holder().get();
        try {
            waiters.execute(() -> awaitThenLookAgain(filesystem, holder));
        } catch (RejectedExecutionException closing) {
            // the agent is stopping: nothing more is looked up
        }
    }

    private void awaitThenLookAgain(AttachedFilesystem filesystem, Holder holder) {
        String mountPoint = filesystem.mount().mountPoint().toString();
        try {
            while (!holder.awaitReverseMap(WAIT_SLICE)) {
                ReverseMapStatus.State state = holder.reverseMapStatus().map(ReverseMapStatus::state)
                        .orElse(ReverseMapStatus.State.CLOSED);
                if (state == ReverseMapStatus.State.FAILED || state == ReverseMapStatus.State.CLOSED) {
                    return;
                }
            }
            int replaced = lookAgain.lookAgain(filesystem);
            if (replaced > 0) {
                LOG.log(System.Logger.Level.INFO, "reverse map of " + mountPoint + " ready: the owners of " + replaced
                        + " range(s) recorded while it was being built were looked up again");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | RuntimeException e) {
            // A closed holder, a failed ledger: the unknown owners stay as they are, and say why they are unknown.
            LOG.log(System.Logger.Level.WARNING, "could not look again at the unknown owners of " + mountPoint + ": "
                    + e.getMessage());
        }
    }

    /** Lets the waits already started run to their end (tests); true if they all ended within {@code timeout}. */
    boolean finishWaiting(Duration timeout) throws InterruptedException {
        waiters.shutdown();
        return waiters.awaitTermination(timeout.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    @Override
    public void close() {
        waiters.shutdownNow();
    }
}
