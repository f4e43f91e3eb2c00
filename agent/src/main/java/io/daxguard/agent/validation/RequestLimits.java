package io.daxguard.agent.validation;

/**
 * How much one operator request may ask of the agent (configuration {@code mbeans.resolveBytes} and
 * {@code mbeans.reportBytes}): a range past the limit is never answered by building all of its owners at once.
 * Refusals are {@link IllegalArgumentException}s that name the parameter, its value and the setting.
 *
 * @param resolveBytes bytes one {@code resolve} answers, and one page of {@code resolvePage}/{@code resolveSummary}
 * @param reportBytes  bytes one {@code reportFailure} may name
 */
public record RequestLimits(long resolveBytes, long reportBytes) {
    /** One GiB each, the configuration's defaults. */
    public static final long DEFAULT_BYTES = 1L << 30;

    public RequestLimits {
        if (resolveBytes < 1) {
            throw new IllegalArgumentException("resolveBytes must be at least 1, was " + resolveBytes);
        }
        if (reportBytes < 512) {
            throw new IllegalArgumentException("reportBytes must be at least one 512-byte sector, was " + reportBytes);
        }
    }

    public static RequestLimits defaults() {
        return new RequestLimits(DEFAULT_BYTES, DEFAULT_BYTES);
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
