package io.daxguard.agent.source.operator;

import io.daxguard.agent.failure.DeviceRef;
import io.daxguard.agent.failure.DeviceResolver;
import io.daxguard.agent.failure.FailureRejected;
import io.daxguard.agent.failure.FailureTuple;
import io.daxguard.agent.failure.ProcessingResult;
import io.daxguard.agent.route.FailureRouter;
import io.daxguard.agent.validation.InputValidator;
import io.daxguard.agent.validation.RequestLimits;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
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
    private static final String BATCH = "reportFailures";
    private static final String STILL_PROCESSING = "still processing after " + REPLY_TIMEOUT_SECONDS
            + " s; the damage will be recorded when done";
    /** Invalid items a refusal lists (the rest are counted): the message stays readable for a batch of 10,000. */
    private static final int LISTED_INVALID = 20;

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
            Throwable cause = rootOf(e);
            if (cause instanceof FailureRejected) {
                throw new IllegalArgumentException("reportFailure rejected: " + cause.getMessage());
            }
            LOG.log(System.Logger.Level.WARNING, "reportFailure(" + device + ", " + sector + ", " + sectors + ") failed",
                    cause);
            throw new IllegalStateException("reportFailure failed: " + describe(cause));
        } catch (TimeoutException e) {
            throw new IllegalStateException("reportFailure: " + STILL_PROCESSING);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("reportFailure interrupted");
        }
    }

    /**
     * Records many failures in one call ({@code reportFailures}): item {@code i} is {@code devices[i]},
     * {@code sectors[i]}, {@code sectorCounts[i]}, {@code errnos[i]}. Every item is checked first, as
     * {@link #report} checks one, and also against the device's size now; one invalid item refuses the whole batch
     * and nothing is recorded (the message lists the invalid items by index, field and value). Then every item is
     * routed in order; the answer has one row per item, in order: what was hit, or why the router did not record it
     * (the device shrank meanwhile, a failure, still processing after {@link #REPLY_TIMEOUT_SECONDS} for the whole
     * batch).
     *
     * @throws IllegalArgumentException arrays missing or of unequal lengths, more than {@code mbeans.batchItems}, or
     *                                  any invalid item
     */
    public List<ReportedFailure> reportAll(String[] devices, long[] sectors, long[] sectorCounts, int[] errnos,
                                           String source) {
        List<FailureReport> reports = reports(devices, sectors, sectorCounts, errnos);
        List<FailureTuple> tuples = checkedTuples(reports, source);
        int items = reports.size();
        List<CompletableFuture<ProcessingResult>> routed = new ArrayList<>(items);
        for (FailureTuple tuple : tuples) {
            routed.add(router.route(tuple));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(REPLY_TIMEOUT_SECONDS);
        List<ReportedFailure> answers = new ArrayList<>(items);
        for (int i = 0; i < items; i++) {
            answers.add(answer(i, reports.get(i), routed.get(i), deadline));
        }
        return answers;
    }

    /** Checks a batch exactly as {@link #reportAll} does, routing nothing: throws what reportAll would refuse with. */
    public void checkAll(String[] devices, long[] sectors, long[] sectorCounts, int[] errnos, String source) {
        checkedTuples(reports(devices, sectors, sectorCounts, errnos), source);
    }

    private List<FailureReport> reports(String[] devices, long[] sectors, long[] sectorCounts, int[] errnos) {
        if (devices == null || sectors == null || sectorCounts == null || errnos == null) {
            throw new IllegalArgumentException(BATCH + " rejected: devices, sectors, sectorCounts and errnos are all"
                    + " needed, one element per item");
        }
        int items = devices.length;
        if (sectors.length != items || sectorCounts.length != items || errnos.length != items) {
            throw new IllegalArgumentException(BATCH + " rejected: the arrays differ in length (devices " + items
                    + ", sectors " + sectors.length + ", sectorCounts " + sectorCounts.length + ", errnos "
                    + errnos.length + "): item i is devices[i], sectors[i], sectorCounts[i], errnos[i]");
        }
        limits.checkBatch(BATCH, items);
        List<FailureReport> reports = new ArrayList<>(items);
        for (int i = 0; i < items; i++) {
            reports.add(new FailureReport(devices[i], sectors[i], sectorCounts[i], errnos[i]));
        }
        return reports;
    }

    /** Every report as a tuple, or the batch refused listing every invalid item; nothing is routed before. */
    private List<FailureTuple> checkedTuples(List<FailureReport> reports, String source) {
        Map<String, DeviceRef> resolved = new HashMap<>();
        Map<DeviceRef, Long> sizes = new HashMap<>();
        List<FailureTuple> tuples = new ArrayList<>(reports.size());
        List<String> invalid = new ArrayList<>();
        int invalidCount = 0;
        for (int i = 0; i < reports.size(); i++) {
            FailureReport report = reports.get(i);
            String problem;
            List<String> violations = validator.violations(report);
            if (!violations.isEmpty()) {
                problem = String.join("; ", violations);
            } else {
                try {
                    limits.checkReport(report.sectors());
                    DeviceRef device = resolved.computeIfAbsent(report.device(), devices::resolve);
                    long size = sizes.computeIfAbsent(device, devices::bytes);
                    FailureTuple tuple = report.toTuple(device, source, clock.instant());
                    if (tuple.offset() + tuple.length() > size) {
                        throw new IllegalArgumentException("sector: " + report.sector() + " + " + report.sectors()
                                + " sectors go past the end of " + device.name() + " (" + size + " bytes)");
                    }
                    tuples.add(tuple);
                    continue;
                } catch (IllegalArgumentException e) {
                    problem = e.getMessage();
                }
            }
            invalidCount++;
            if (invalid.size() < LISTED_INVALID) {
                invalid.add("item " + i + ": " + problem);
            }
        }
        if (invalidCount > 0) {
            throw new IllegalArgumentException(BATCH + " rejected, nothing recorded: " + invalidCount + " of "
                    + reports.size() + " items invalid: " + String.join("; ", invalid)
                    + (invalidCount > invalid.size() ? "; and " + (invalidCount - invalid.size()) + " more" : ""));
        }
        return tuples;
    }

    private ReportedFailure answer(int index, FailureReport report, CompletableFuture<ProcessingResult> routed,
                                   long deadline) {
        try {
            long left = Math.max(0, deadline - System.nanoTime());
            return ReportedFailure.recorded(index, report, routed.get(left, TimeUnit.NANOSECONDS).summary());
        } catch (ExecutionException e) {
            Throwable cause = rootOf(e);
            if (!(cause instanceof FailureRejected)) {
                LOG.log(System.Logger.Level.WARNING, BATCH + " item " + index + " (" + report + ") failed", cause);
            }
            return ReportedFailure.failed(index, report, (cause instanceof FailureRejected ? "rejected: " : "failed: ")
                    + describe(cause));
        } catch (TimeoutException e) {
            return ReportedFailure.failed(index, report, STILL_PROCESSING);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ReportedFailure.failed(index, report, "interrupted before it was recorded");
        }
    }

    private static Throwable rootOf(ExecutionException e) {
        return e.getCause() instanceof UncheckedIOException io && io.getCause() != null ? io.getCause() : e.getCause();
    }

    /** The message a remote client reads: never just "null" (an NPE has none). */
    public static String describe(Throwable failure) {
        return failure.getMessage() != null ? failure.getMessage() : failure.toString();
    }
}
