package io.daxguard.agent.jmx;

import io.daxguard.agent.source.SourceStatus;

/**
 * A failure source and its state, as the Agent MBean's {@code Sources} attribute shows it.
 *
 * @param name        {@code kmsg}, {@code badblocks}
 * @param state       RUNNING, RESTARTING, FAILED or STOPPED
 * @param reason      why it is in that state (empty while RUNNING)
 * @param restarts    times it was started again after its thread ended
 * @param since       when it entered the state, ISO-8601
 * @param nextAttempt when it is started again, ISO-8601, while RESTARTING; empty otherwise
 */
public record SourceView(String name, String state, String reason, int restarts, String since, String nextAttempt) {
    static SourceView of(SourceStatus status) {
        return new SourceView(status.name(), status.state().name(), status.reason(), status.restarts(),
                status.since().toString(), status.nextAttempt().map(Object::toString).orElse(""));
    }
}
