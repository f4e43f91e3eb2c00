package io.daxguard.agent.hooks;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * One hook as the agent runs it.
 *
 * @param field    where it was configured ({@code notify.exec[0]}), named in every refusal so the operator finds it
 * @param program  the program, absolute
 * @param events   the notification types it runs for; empty: every one
 * @param timeout  a run still going after this long is killed, with every process it started
 */
public record HookSettings(String field, Path program, Set<String> events, Duration timeout) {
    public HookSettings {
        Objects.requireNonNull(field, "field is null");
        Objects.requireNonNull(program, "program is null");
        events = Set.copyOf(Objects.requireNonNull(events, "events is null"));
        Objects.requireNonNull(timeout, "timeout is null");
        if (!program.isAbsolute()) {
            throw new IllegalArgumentException(field + ".program: must be an absolute path (was \"" + program + "\")");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException(field + ".timeoutSeconds: must be positive (was " + timeout + ")");
        }
    }

    /** Whether this hook runs for events of {@code type}. */
    public boolean wants(String type) {
        return events.isEmpty() || events.contains(type);
    }

    /** Who a run is audited as: {@code hook:<program>}. */
    public String principal() {
        return "hook:" + program;
    }
}
