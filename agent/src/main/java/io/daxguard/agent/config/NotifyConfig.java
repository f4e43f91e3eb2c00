package io.daxguard.agent.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.util.List;
import java.util.Objects;

/**
 * Who else is told of what the agent announces: programs run for each event (like ZFS's zedlets), besides the JMX
 * notifications every event is anyway.
 *
 * @param exec           the hooks, each a program and the events it runs for; none by default
 * @param maxConcurrent  hook runs at once, over every hook; more wait in the queue
 * @param queueCapacity  hook runs waiting at most; when full, an event is dropped for the hooks (counted and logged),
 *                       never waited for: detection does not wait on a hook
 */
public record NotifyConfig(@NotNull List<@NotNull @Valid HookConfig> exec, @Min(1) @Max(64) Integer maxConcurrent,
                           @Min(1) @Max(100_000) Integer queueCapacity) {
    public NotifyConfig {
        exec = exec == null ? List.of() : exec.stream().toList();
        maxConcurrent = Objects.requireNonNullElse(maxConcurrent, 4);
        queueCapacity = Objects.requireNonNullElse(queueCapacity, 256);
    }

    static NotifyConfig defaults() {
        return new NotifyConfig(null, null, null);
    }
}
