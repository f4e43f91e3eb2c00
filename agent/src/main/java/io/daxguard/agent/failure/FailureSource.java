package io.daxguard.agent.failure;

import java.io.IOException;

/**
 * Something that finds failures by itself (the kernel log, a badblocks list) and hands them to the
 * {@link FailureSink} it was made with. Started once, closed once; it owns its threads and stops them in
 * {@link #close}. Adding a source is one class and one line in {@code source.FailureSources}.
 */
public interface FailureSource extends AutoCloseable {
    /** A short name for logs ({@code kmsg}, {@code badblocks}). */
    String name();

    /** Starts finding failures; a source that cannot start says why and the agent runs without it. */
    void start() throws IOException, InterruptedException;

    /** Stops its threads; what they found is already in the sink. */
    @Override
    void close();
}
