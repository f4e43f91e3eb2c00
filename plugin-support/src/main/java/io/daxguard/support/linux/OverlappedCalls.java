package io.daxguard.support.linux;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Independent blocking calls of one question (a GETFSMAP per range, a {@code statx} per name) made a few at a time,
 * so that on cold caches their reads overlap in the device's queue instead of waiting one behind another, and a long
 * list of calls answered from the caches runs on every core. Every
 * call is still made, once, during the question; only the order among them changes, so an answer is exactly what
 * the same calls made one by one give. A short list (fewer than {@link #MIN_OVERLAPPED} items) runs on the
 * caller's thread alone: a thread hand-off would cost more than it saves.
 *
 * <p>Threads: at most {@code threads} daemon threads named {@code name}, made when a list first needs them and
 * ended after 30 s idle, so an idle agent keeps none; the caller's thread works too. The owner closes it; calls
 * after {@link #close()} run on the caller's thread alone. A call that throws stops the others from starting new
 * items; the first exception is rethrown once every started item has returned. The caller waits only for the items
 * taken, never for a helper still queued behind another caller's list.
 */
public final class OverlappedCalls implements AutoCloseable {
    /** Below this many items the caller's thread makes every call itself. */
    public static final int MIN_OVERLAPPED = 8;
    /**
     * Calls answered from the kernel's caches are still spread over the machine's cores when the rest of a list
     * would take this long on one thread: each CPU-bound call (an XFS GETFSMAP of a reflink filesystem is ~20 us
     * of kernel time) then runs beside the others, and a hand-off (tens of microseconds) is paid a few times.
     */
    static final long CPU_SPLIT_NANOS = 2_000_000;
    private static final int CORES = Runtime.getRuntime().availableProcessors();

    private final ThreadPoolExecutor pool;
    private final int threads;
    private final long cpuSplitNanos;

    /** One item's call. */
    @FunctionalInterface
    public interface Call<T, R> {
        R apply(T item) throws IOException;
    }

    /**
     * @param name    the threads' name
     * @param threads helper threads besides the caller's, at least 1
     */
    public OverlappedCalls(String name, int threads) {
        this(name, threads, CPU_SPLIT_NANOS);
    }

    /** As {@link #OverlappedCalls(String, int)}, spreading a warm list from {@code cpuSplitNanos} (tests). */
    OverlappedCalls(String name, int threads, long cpuSplitNanos) {
        Objects.requireNonNull(name, "name is null");
        this.cpuSplitNanos = cpuSplitNanos;
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, was " + threads);
        }
        this.threads = threads;
        AtomicInteger made = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                runnable -> {
                    Thread thread = new Thread(runnable, name + "-" + made.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        pool.allowCoreThreadTimeOut(true);
    }

    /** {@code call} of every item, answers in the items' order. */
    public <T, R> List<R> each(List<T> items, Call<T, R> call) throws IOException {
        return each(items, call, MIN_OVERLAPPED);
    }

    /**
     * {@code call} of every item of {@code items} (already in the order they should be read) in contiguous slices, one
     * slice per thread at a time, answers in the items' order. For calls that contend when neighbours run at once
     * (XFS locks an allocation group's header for each GETFSMAP and BULKSTAT in it): the threads read apart, each in its
     * own part of the device and forward within it, instead of taking neighbouring items from one queue.
     */
    public <T, R> List<R> eachInSlices(List<T> items, Call<T, R> call) throws IOException {
        return eachInSlices(items, call, java.time.Duration.ZERO);
    }

    /**
     * {@link #eachInSlices(List, Call)} only when the calls wait for the device or are many: the first
     * {@link #MIN_OVERLAPPED} items are called on the caller's thread and timed. When they took {@code slowCall} or
     * more each on average (they wait for the device), the rest go in slices on every thread. When they were faster
     * (answered from the kernel's caches) and the rest would take under {@link #CPU_SPLIT_NANOS} at that pace, the rest
     * are called on the caller's thread, in order (a hand-off would cost more than it saves); when longer, they go in
     * one slice per core, at most one per thread.
     */
    public <T, R> List<R> eachInSlices(List<T> items, Call<T, R> call, java.time.Duration slowCall)
            throws IOException {
        Objects.requireNonNull(items, "items is null");
        Objects.requireNonNull(call, "call is null");
        Objects.requireNonNull(slowCall, "slowCall is null");
        if (items.size() < MIN_OVERLAPPED) {
            return each(items, call);
        }
        List<R> answers = new java.util.ArrayList<>(items.size());
        int timed = slowCall.isZero() ? 0 : MIN_OVERLAPPED;
        long started = System.nanoTime();
        for (int i = 0; i < timed; i++) {
            answers.add(call.apply(items.get(i)));
        }
        List<T> rest = items.subList(timed, items.size());
        long spent = System.nanoTime() - started;
        int slices = threads + 1;
        if (timed > 0 && spent < slowCall.toNanos() * timed) {
            slices = Math.min(slices, CORES);
            if (slices < 2 || spent / timed * rest.size() < cpuSplitNanos) {
                for (T item : rest) {
                    answers.add(call.apply(item));
                }
                return answers;
            }
        }
        List<List<T>> parts = new java.util.ArrayList<>(slices);
        for (int slice = 0; slice < slices; slice++) {
            parts.add(rest.subList(rest.size() * slice / slices, rest.size() * (slice + 1) / slices));
        }
        List<List<R>> answered = each(parts, part -> {
            List<R> partAnswers = new java.util.ArrayList<>(part.size());
            for (T item : part) {
                partAnswers.add(call.apply(item));
            }
            return partAnswers;
        }, 2);
        answered.forEach(answers::addAll);
        return answers;
    }

    private <T, R> List<R> each(List<T> items, Call<T, R> call, int minOverlapped) throws IOException {
        Objects.requireNonNull(items, "items is null");
        Objects.requireNonNull(call, "call is null");
        Object[] answers = new Object[items.size()];
        if (items.size() < minOverlapped || pool.isShutdown()) {
            for (int i = 0; i < answers.length; i++) {
                answers[i] = call.apply(items.get(i));
            }
            return list(answers);
        }
        AtomicInteger next = new AtomicInteger();
        // Counts down once per item, when it is answered or will never be taken: the caller waits for the items the
        // helpers took, not for helpers still queued behind another batch (they find nothing left and return).
        CountDownLatch settled = new CountDownLatch(answers.length);
        Throwable[] first = new Throwable[1];
        Runnable worker = () -> {
            for (int i = next.getAndIncrement(); i < answers.length; i = next.getAndIncrement()) {
                try {
                    answers[i] = call.apply(items.get(i));
                } catch (IOException | RuntimeException | Error e) {
                    synchronized (first) {
                        if (first[0] == null) {
                            first[0] = e;
                        }
                    }
                    // Items from here on are never taken: settle them at once.
                    for (int left = answers.length - Math.min(answers.length, next.getAndSet(answers.length));
                         left > 0; left--) {
                        settled.countDown();
                    }
                    return;
                } finally {
                    settled.countDown();
                }
            }
        };
        for (int i = 0; i < Math.min(threads, answers.length - 1); i++) {
            try {
                pool.execute(worker);
            } catch (RejectedExecutionException closed) {
                break;
            }
        }
        worker.run();
        awaitUninterruptibly(settled);
        synchronized (first) {
            // Every answer was written before its item's count-down, so the reads below see them.
            if (first[0] instanceof IOException e) {
                throw e;
            }
            if (first[0] instanceof RuntimeException e) {
                throw e;
            }
            if (first[0] instanceof Error e) {
                throw e;
            }
        }
        return list(answers);
    }

    /** Waits for every item; an interrupt does not stop the calls already made and is kept for the caller. */
    private static void awaitUninterruptibly(CountDownLatch settled) {
        boolean interrupted = false;
        while (true) {
            try {
                settled.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @SuppressWarnings("unchecked")
    private static <R> List<R> list(Object[] answers) {
        return (List<R>) Arrays.asList(answers);
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
