package io.daxguard.agent.config;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.util.Objects;

/**
 * Where failure tuples come from, besides JMX and the command line (always on).
 *
 * @param trace          read failed block requests from the {@code block:block_rq_error} trace event (every one,
 *                       with its length; tracefs is mounted if it is not); the kernel log is the fallback
 * @param kmsg           parse block I/O errors (when not traced) and memory failures from {@code /dev/kmsg}
 * @param badblocks      watch sysfs {@code badblocks} files (pmem, md)
 * @param queueCapacity  failure tuples waiting for the router at most; more push back on the sources
 */
public record SourcesConfig(Boolean trace, Boolean kmsg, Boolean badblocks, @Min(16) @Max(10_000_000) Integer queueCapacity) {
    public SourcesConfig {
        trace = Objects.requireNonNullElse(trace, true);
        kmsg = Objects.requireNonNullElse(kmsg, true);
        badblocks = Objects.requireNonNullElse(badblocks, true);
        queueCapacity = Objects.requireNonNullElse(queueCapacity, 65_536);
    }

    static SourcesConfig defaults() {
        return new SourcesConfig(null, null, null, null);
    }
}
