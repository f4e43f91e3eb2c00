package io.daxguard.agent.hooks;

import java.util.List;
import java.util.Objects;

/**
 * The hooks ({@code notify} in the configuration) and how many of their runs may be going on and waiting.
 *
 * @param hooks          each run for the events it wants, in this order
 * @param maxConcurrent  runs at once, over every hook
 * @param queueCapacity  runs waiting at most; beyond that an event is dropped for the hooks, never waited for
 */
public record HooksSettings(List<HookSettings> hooks, int maxConcurrent, int queueCapacity) {
    public HooksSettings {
        hooks = List.copyOf(Objects.requireNonNull(hooks, "hooks is null"));
        if (maxConcurrent < 1) {
            throw new IllegalArgumentException("notify.maxConcurrent: must be at least 1 (was " + maxConcurrent + ")");
        }
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("notify.queueCapacity: must be at least 1 (was " + queueCapacity + ")");
        }
    }

    /** No hooks: the embedded default. */
    public static HooksSettings defaults() {
        return new HooksSettings(List.of(), 4, 256);
    }
}
