package io.daxguard.agent.source.operator;

import io.daxguard.agent.failure.DeviceResolver;
import io.daxguard.agent.failure.FailureRejected;
import io.daxguard.agent.failure.FailureTuple;
import io.daxguard.agent.failure.ProcessingResult;
import io.daxguard.agent.route.FailureRouter;
import io.daxguard.agent.validation.InputValidator;
import io.daxguard.agent.validation.RequestLimits;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Failures reported by an operator or vendor software (JMX {@code reportFailure}, the CLI's {@code report}): checked
 * field by field ({@link FailureReport}), at most {@link RequestLimits#reportBytes()} (a larger range is refused before
 * anything is looked up: the owners of a whole device are never built for one call), the device resolved once, and
 * handed straight to the router rather than the ingest queue, so the reply says what was hit. Exceptions are JDK types whose message carries the detail, so a
 * remote client without daxguard's classes reads them: {@link IllegalArgumentException} for bad input,
 * {@link IllegalStateException} otherwise.
 *
 * <p>Thread safe; runs on the caller's (JMX) thread and waits at most {@link #REPLY_TIMEOUT_SECONDS} for the record.
 */
public final class OperatorReports {
    private static final System.Logger LOG = System.getLogger(OperatorReports.class.getName());
    public static final long REPLY_TIMEOUT_SECONDS = 120;

    private final InputValidator validator;
    private final DeviceResolver devices;
    private final FailureRouter router;
    private final Clock clock;
    private final RequestLimits limits;

    /** @param limits how many bytes one report may name ({@code mbeans.reportBytes}) */
    public OperatorReports(InputValidator validator, DeviceResolver devices, FailureRouter router, Clock clock,
                           RequestLimits limits) {
        this.limits = limits;
        this.validator = validator;
        this.devices = devices;
        this.router = router;
        this.clock = clock;
    }

    /**
     * Records a failure on {@code sectors} 512-byte sectors from {@code sector} of {@code device}.
     *
     * @param source who reports it ({@code jmx})
     * @return one line for the operator: what was hit
     */
    public String report(String device, long sector, long sectors, int errno, String source) {
        FailureReport report = validator.check("reportFailure", new FailureReport(device, sector, sectors, errno));
        FailureTuple tuple;
        try {
            // Before the device is looked at: a range past the limit is refused whatever it names, so no router,
            // reverse-map or ledger work is ever done for it.
            limits.checkReport(report.sectors());
            tuple = report.toTuple(devices.resolve(report.device()), source, clock.instant());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("reportFailure rejected: " + e.getMessage());
        }
        try {
            ProcessingResult result = router.route(tuple).get(REPLY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return result.summary();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof UncheckedIOException io && io.getCause() != null
                    ? io.getCause() : e.getCause();
            if (cause instanceof FailureRejected) {
                throw new IllegalArgumentException("reportFailure rejected: " + cause.getMessage());
            }
            LOG.log(System.Logger.Level.WARNING, "reportFailure(" + device + ", " + sector + ", " + sectors + ") failed",
                    cause);
            throw new IllegalStateException("reportFailure failed: " + describe(cause));
        } catch (TimeoutException e) {
            throw new IllegalStateException("reportFailure: still processing after " + REPLY_TIMEOUT_SECONDS
                    + " s; the damage will be recorded when done");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("reportFailure interrupted");
        }
    }

    /** The message a remote client reads: never just "null" (an NPE has none). */
    public static String describe(Throwable failure) {
        return failure.getMessage() != null ? failure.getMessage() : failure.toString();
    }
}
