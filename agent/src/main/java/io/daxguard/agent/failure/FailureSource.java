package io.daxguard.agent.failure;

import java.io.IOException;
import java.util.Map;

/**
 * Something that finds failures by itself (the kernel log, a badblocks list) and hands them to the
 * {@link FailureSink} it was made with. It owns its thread and stops it in {@link #close}. Adding a source is
 * one class and one line in {@code source.FailureSources}, which supervises it.
 *
 * <p>A record the source cannot handle (a bad line, a device gone since, a refused read, a sink that throws)
 * must not end its thread: it is logged, counted ({@link #counters}) and the source goes on with the next one.
 * If the thread ends anyway, it says so through the {@link ThreadEnded} it was started with, and the supervisor
 * starts the source again later.
 */
public interface FailureSource extends AutoCloseable {
    /** A short name for logs, states and metrics ({@code kmsg}, {@code badblocks}). */
    String name();

    /**
     * Starts finding failures on the source's own thread. Called again by the supervisor after that thread ended
     * by itself: the source goes on where it was, as far as it can.
     *
     * @param ended told once per start, on the source's thread, when that thread ends other than by {@link #close}
     * @throws IOException when it cannot start (no permission to read the kernel log); the reason is shown
     */
    void start(ThreadEnded ended) throws IOException, InterruptedException;

    /** Stops its thread (a thread stopped here is not reported as ended); what it found is already in the sink. */
    @Override
    void close();

    /** What the source counted since it was made (records, skipped records, ...), by name; fixed names. */
    default Map<String, Long> counters() {
        return Map.of();
    }

    /** How a source tells its supervisor that its thread ended without being asked to. */
    @FunctionalInterface
    interface ThreadEnded {
        /** @param cause why: the exception or error that ended the thread */
        void ended(Throwable cause);
    }
}
