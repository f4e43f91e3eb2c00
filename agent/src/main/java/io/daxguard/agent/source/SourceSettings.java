package io.daxguard.agent.source;

import io.soabase.recordbuilder.core.RecordBuilder;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the failure sources, the ingest queue and the scrubber; {@link #defaults()} is the embedded
 * default; each {@code with...} (generated from the components) gives a copy with one setting changed.
 *
 * @param devices           where device nodes are ({@code /dev}); probes and scrubs open them
 * @param kmsg              the kernel log device ({@code /dev/kmsg})
 * @param kmsgEnabled       whether the kernel log is read
 * @param kmsgReplay        read the log from the oldest record kept since boot instead of from its end
 * @param badblocksEnabled  whether {@code <sysfs>/block/*}{@code /badblocks} is watched
 * @param badblocksRescan   how often badblocks files are re-read when no POLLPRI came
 * @param scrubRateLimit    bytes per second one scrub reads at most; 0 for no limit
 * @param scrubEvery        start a scrub of every held filesystem this often; zero for never
 * @param queueCapacity     ranges the ingest queue holds before sources wait
 * @param knownCapacity     runs of handed-on damage the ingest queue remembers to drop duplicates
 * @param traceEnabled      whether failed block requests are read from the {@code block:block_rq_error} trace event
 *                          (the kernel log's block error lines are then passed over)
 * @param tracefs           where tracefs is, or is mounted when it is not ({@code /sys/kernel/tracing})
 */
@RecordBuilder
public record SourceSettings(Path devices, Path kmsg, boolean kmsgEnabled, boolean kmsgReplay,
                             boolean badblocksEnabled, Duration badblocksRescan, long scrubRateLimit,
                             Duration scrubEvery, int queueCapacity, int knownCapacity, boolean traceEnabled,
                             Path tracefs)
        implements SourceSettingsBuilder.With {
    public SourceSettings {
        Objects.requireNonNull(devices, "devices is null");
        Objects.requireNonNull(kmsg, "kmsg is null");
        Objects.requireNonNull(badblocksRescan, "badblocksRescan is null");
        Objects.requireNonNull(scrubEvery, "scrubEvery is null");
        Objects.requireNonNull(tracefs, "tracefs is null");
        if (badblocksRescan.isNegative() || badblocksRescan.isZero()) {
            throw new IllegalArgumentException("badblocksRescan must be positive, was " + badblocksRescan);
        }
        if (scrubEvery.isNegative()) {
            throw new IllegalArgumentException("scrubEvery must not be negative, was " + scrubEvery);
        }
        if (scrubRateLimit < 0) {
            throw new IllegalArgumentException("scrubRateLimit must not be negative, was " + scrubRateLimit);
        }
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("queueCapacity must be at least 1, was " + queueCapacity);
        }
        if (knownCapacity < 0) {
            throw new IllegalArgumentException("knownCapacity must not be negative, was " + knownCapacity);
        }
    }

    /** Trace, kmsg and badblocks on, scrub at 128 MiB/s on request only, 65,536 queued ranges, 100,000 known runs. */
    public static SourceSettings defaults() {
        return new SourceSettings(Path.of("/dev"), Path.of("/dev/kmsg"), true, false, true, Duration.ofSeconds(30),
                128L << 20, Duration.ZERO, 65_536, 100_000, true, Path.of("/sys/kernel/tracing"));
    }
}
