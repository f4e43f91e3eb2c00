package io.daxguard.agent.source.operator;

/**
 * One item of a batch of reports ({@code reportFailures}), as a plain JMX client reads it (a CompositeData row).
 *
 * @param index   the item's position in the batch (0 for the first)
 * @param device  the device as reported
 * @param sector  first failed 512-byte sector
 * @param sectors failed 512-byte sectors
 * @param errno   the error the device returned
 * @param hit     what was hit, as {@code reportFailure} answers it; empty when {@link #error} is not
 * @param error   why this item was not recorded (the router refused it, or it failed or is still being processed);
 *                empty when it was recorded
 */
public record ReportedFailure(int index, String device, long sector, long sectors, int errno, String hit,
                              String error) {

    static ReportedFailure recorded(int index, FailureReport report, String hit) {
        return new ReportedFailure(index, report.device(), report.sector(), report.sectors(), report.errno(), hit, "");
    }

    static ReportedFailure failed(int index, FailureReport report, String error) {
        return new ReportedFailure(index, report.device(), report.sector(), report.sectors(), report.errno(), "",
                error);
    }
}
