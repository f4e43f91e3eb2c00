package io.daxguard.agent.validation;

/**
 * How much one operator request may ask of the agent (configuration {@code mbeans.resolveBytes},
 * {@code mbeans.reportBytes} and {@code mbeans.batchItems}): a range past the limit is never answered by building all
 * of its owners at once, and a batch never holds more items than the limit. Refusals are
 * {@link IllegalArgumentException}s that name the parameter, its value and the setting.
 *
 * @param resolveBytes bytes one {@code resolve} answers, one page of {@code resolvePage}/{@code resolveSummary}, and
 *                     every range of one {@code resolveRanges} or {@code resolveRangesAsColumns} together
 * @param reportBytes  bytes one {@code reportFailure} may name, and each item of {@code reportFailures}
 * @param batchItems   items one {@code reportFailures}, {@code resolveRanges} or {@code resolveRangesAsColumns} may hold
 */
public record RequestLimits(long resolveBytes, long reportBytes, int batchItems) {
    /** One GiB each, the configuration's defaults. */
    public static final long DEFAULT_BYTES = 1L << 30;
    /** The configuration's default {@code mbeans.batchItems}. */
    public static final int DEFAULT_BATCH_ITEMS = 10_000;

    public RequestLimits {
        if (resolveBytes < 1) {
            throw new IllegalArgumentException("resolveBytes must be at least 1, was " + resolveBytes);
        }
        if (reportBytes < 512) {
            throw new IllegalArgumentException("reportBytes must be at least one 512-byte sector, was " + reportBytes);
        }
        if (batchItems < 1) {
            throw new IllegalArgumentException("batchItems must be at least 1, was " + batchItems);
        }
    }

    /** Byte limits with the default {@code batchItems}. */
    public RequestLimits(long resolveBytes, long reportBytes) {
        this(resolveBytes, reportBytes, DEFAULT_BATCH_ITEMS);
    }

    public static RequestLimits defaults() {
        return new RequestLimits(DEFAULT_BYTES, DEFAULT_BYTES, DEFAULT_BATCH_ITEMS);
    }

    /**
     * @param call  the operation, as the message names it
     * @param items how many items the batch holds
     * @throws IllegalArgumentException when they are more than {@link #batchItems}
     */
    public void checkBatch(String call, int items) {
        if (items > batchItems) {
            throw new IllegalArgumentException(call + " rejected: " + items + " items is over mbeans.batchItems ("
                    + batchItems + "): send at most " + batchItems + " items at a time");
        }
    }

    /**
     * @param totalBytes the bytes of every range of one {@code resolveRanges}
     * @throws IllegalArgumentException when they are more than {@link #resolveBytes}
     */
    public void checkResolveTotal(long totalBytes) {
        if (totalBytes > resolveBytes) {
            throw new IllegalArgumentException("the ranges hold " + totalBytes + " bytes together, over"
                    + " mbeans.resolveBytes (" + resolveBytes + "): send fewer ranges at a time");
        }
    }

    /**
     * @throws IllegalArgumentException when {@code length} is over {@link #resolveBytes}, saying how to ask instead
     */
    public void checkResolve(long length) {
        if (length > resolveBytes) {
            throw new IllegalArgumentException("length " + length + " is over mbeans.resolveBytes (" + resolveBytes
                    + "): ask resolvePage for the owners a page at a time, or resolveSummary for counts per kind of"
                    + " owner and the first owners");
        }
    }

    /**
     * @param sectors 512-byte sectors reported
     * @throws IllegalArgumentException when they are more than {@link #reportBytes}
     */
    public void checkReport(long sectors) {
        long most = reportBytes / 512;
        if (sectors > most) {
            String bytes = sectors <= Long.MAX_VALUE / 512 ? " (" + sectors * 512 + " bytes)" : "";
            throw new IllegalArgumentException("sectors " + sectors + bytes + " is over mbeans.reportBytes ("
                    + reportBytes + " bytes): report at most " + most + " sectors at a time");
        }
    }
}
