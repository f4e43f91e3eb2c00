package io.daxguard.agent.failure;

/**
 * Where a source hands the failures it found: in a running agent the one ingest queue, which coalesces them and
 * hands them to the router. A source knows nothing else of the pipeline.
 */
@FunctionalInterface
public interface FailureSink {
    /**
     * Takes a failure; may wait while the pipeline is full (back-pressure reaches the source).
     *
     * @throws IllegalStateException when the pipeline is stopping
     */
    void submit(FailureTuple tuple) throws InterruptedException;
}
