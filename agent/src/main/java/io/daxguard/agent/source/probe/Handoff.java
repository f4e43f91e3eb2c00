package io.daxguard.agent.source.probe;

import io.daxguard.agent.failure.FailureSink;
import java.util.Objects;

/**
 * How a source that probes hands failures on: the sink (the ingest queue), what was handed on already (not probed
 * again), and a wait until everything handed on is durable (before the source keeps a position it must not read
 * again after a crash).
 *
 * @param sink    where failures go
 * @param known   what was handed on already
 * @param durable waits until what was handed on is recorded; false if it was not within its bound
 */
public record Handoff(FailureSink sink, AlreadyKnown known, AwaitDurable durable) {
    public Handoff {
        Objects.requireNonNull(sink, "sink is null");
        Objects.requireNonNull(known, "known is null");
        Objects.requireNonNull(durable, "durable is null");
    }

    /** Waits until what was handed on is recorded. */
    @FunctionalInterface
    public interface AwaitDurable {
        boolean await() throws InterruptedException;
    }

}
