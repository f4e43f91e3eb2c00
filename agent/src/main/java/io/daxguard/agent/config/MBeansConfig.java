package io.daxguard.agent.config;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.util.Objects;

/**
 * Limits on MBeans and on what one call of their operations may ask, so jconsole stays usable after a storm of
 * damage and no caller makes the agent build the owners of a whole device in memory.
 *
 * @param filesPerFilesystem  at most this many DamagedFile MBeans per filesystem; the rest are listed by
 *                            {@code listDamagedFiles}
 * @param resolveBytes        at most this many bytes in one {@code resolve} call, and in one page of
 *                            {@code resolvePage} or {@code resolveSummary} (which answer larger ranges)
 * @param reportBytes         at most this many bytes in one {@code reportFailure}; a larger report is refused
 * @param batchItems          at most this many items in one {@code reportFailures} or {@code resolveRanges}; a larger
 *                            batch is refused whole
 */
public record MBeansConfig(@Min(0) @Max(1_000_000) Integer filesPerFilesystem,
                           @Min(4096) @Max(1L << 40) Long resolveBytes,
                           @Min(512) @Max(1L << 40) Long reportBytes,
                           @Min(1) @Max(100_000) Integer batchItems) {
    /** One GiB: 262,144 blocks of 4 KiB, the most owners a page answers with unless blocks are shared. */
    public static final long DEFAULT_RANGE_BYTES = io.daxguard.agent.validation.RequestLimits.DEFAULT_BYTES;

    public MBeansConfig {
        filesPerFilesystem = Objects.requireNonNullElse(filesPerFilesystem, 10_000);
        resolveBytes = Objects.requireNonNullElse(resolveBytes, DEFAULT_RANGE_BYTES);
        reportBytes = Objects.requireNonNullElse(reportBytes, DEFAULT_RANGE_BYTES);
        batchItems = Objects.requireNonNullElse(batchItems, io.daxguard.agent.validation.RequestLimits.DEFAULT_BATCH_ITEMS);
    }

    static MBeansConfig defaults() {
        return new MBeansConfig(null, null, null, null);
    }
}
