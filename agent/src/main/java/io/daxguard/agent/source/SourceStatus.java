package io.daxguard.agent.source;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A supervised source as the views show it.
 *
 * @param name        the source's name ({@code kmsg}, {@code badblocks})
 * @param state       what it is doing
 * @param reason      why it is in that state (the error that ended its thread or stopped its start); empty when
 *                    RUNNING
 * @param restarts    how many times the supervisor started it again after its thread ended
 * @param since       when it entered this state
 * @param nextAttempt when it is started again, while RESTARTING
 */
public record SourceStatus(String name, SourceState state, String reason, int restarts, Instant since,
                           Optional<Instant> nextAttempt) {
    public SourceStatus {
        Objects.requireNonNull(name, "name is null");
        Objects.requireNonNull(state, "state is null");
        Objects.requireNonNull(reason, "reason is null");
        Objects.requireNonNull(since, "since is null");
        Objects.requireNonNull(nextAttempt, "nextAttempt is null");
    }
}
