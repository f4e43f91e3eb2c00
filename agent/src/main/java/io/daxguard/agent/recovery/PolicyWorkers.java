package io.daxguard.agent.recovery;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One worker thread per filesystem for the recovery policies: a step that writes to a frozen filesystem sleeps in
 * the kernel (uninterruptibly) until the thaw, and only the policy of that filesystem waits with it; every other
 * filesystem's policy goes on. A worker ({@code daxguard-recovery-policy <filesystem>}) is made on demand, runs its
 * filesystem's tasks one at a time in the order they were handed over, holds at most {@link #QUEUE_CAPACITY} waiting
 * tasks (full: refused, never waited for: the caller is the ledger's writer), and its thread ends after a minute idle
 * (the next task starts another).
 *
 * <p>Thread ownership: owned by {@link RecoveryPolicyEngine}; {@link #close} (once) drops what waits and waits a bounded
 * time for the running tasks: a thread still asleep in the kernel on a frozen filesystem is left (a daemon; logged).
 */
final class PolicyWorkers {
    private static final System.Logger LOG = System.getLogger(PolicyWorkers.class.getName());
    static final int QUEUE_CAPACITY = 1024;
    private static final Duration CLOSE_BOUND = Duration.ofSeconds(10);

    private final Map<String, ThreadPoolExecutor> workers = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /**
     * Queues {@code work} on the worker of {@code filesystem} (its UUID and device).
     *
     * @throws RejectedExecutionException when that worker's queue is full or the workers are closed
     */
    void execute(String filesystem, Runnable work) {
        if (closed) {
            throw new RejectedExecutionException("the agent is stopping");
        }
        workers.computeIfAbsent(filesystem, PolicyWorkers::worker).execute(work);
    }

    private static ThreadPoolExecutor worker(String filesystem) {
        ThreadPoolExecutor worker = new ThreadPoolExecutor(1, 1, 1, TimeUnit.MINUTES,
                new ArrayBlockingQueue<>(QUEUE_CAPACITY), runnable -> {
                    Thread thread = new Thread(runnable, "daxguard-recovery-policy " + filesystem);
                    thread.setDaemon(true); // one asleep on a frozen filesystem must not hold the JVM's exit
                    return thread;
                }, (task, executor) -> {
                    throw new RejectedExecutionException(executor.isShutdown() ? "the agent is stopping"
                            : "the queue of " + filesystem + " is full (" + QUEUE_CAPACITY + ")");
                });
        worker.allowCoreThreadTimeOut(true);
        return worker;
    }

    /**
     * Waits until every task handed over before this call has run: each worker runs its tasks in order, so a marker
     * queued on each now runs after them.
     *
     * @return false when that took longer than {@code timeout} (a worker waiting on a frozen filesystem, say)
     */
    boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Future<?>> markers = new ArrayList<>();
        for (ThreadPoolExecutor worker : workers.values()) {
            try {
                markers.add(worker.submit(() -> { }));
            } catch (RejectedExecutionException fullOrClosed) {
                return false;
            }
        }
        for (Future<?> marker : markers) {
            try {
                marker.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                return false;
            } catch (ExecutionException e) {
                throw new IllegalStateException("unreachable: the marker does nothing", e);
            }
        }
        return true;
    }

    /** Drops the waiting tasks (returns how many), interrupts the running ones and waits for them a bounded time. */
    int close() {
        closed = true;
        int dropped = 0;
        for (ThreadPoolExecutor worker : workers.values()) {
            dropped += worker.shutdownNow().size();
        }
        if (dropped > 0) {
            LOG.log(System.Logger.Level.INFO, "recovery policies: " + dropped + " task(s) not run at stop; their "
                    + "damage is recorded and waits for an operator (or the next start)");
        }
        long deadline = System.nanoTime() + CLOSE_BOUND.toNanos();
        try {
            for (Map.Entry<String, ThreadPoolExecutor> worker : workers.entrySet()) {
                if (!worker.getValue().awaitTermination(Math.max(0, deadline - System.nanoTime()),
                        TimeUnit.NANOSECONDS)) {
                    LOG.log(System.Logger.Level.WARNING, "recovery policies: a step on " + worker.getKey()
                            + " still runs after " + CLOSE_BOUND.toSeconds() + " s (a write waiting on a frozen "
                            + "filesystem, most likely); its thread is left behind and the stop goes on");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return dropped;
    }
}
