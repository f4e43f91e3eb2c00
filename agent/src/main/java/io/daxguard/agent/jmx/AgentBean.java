package io.daxguard.agent.jmx;

import io.daxguard.agent.source.operator.FailureReport;
import io.daxguard.agent.validation.InputValidator;
import io.daxguard.agent.ledger.DamageLedger;
import io.daxguard.agent.ledger.DamageState;
import io.daxguard.agent.ledger.DamagedFile;
import io.daxguard.agent.plugins.PluginHost;
import io.daxguard.agent.route.FailureProcessor;
import io.daxguard.agent.failure.ProcessingResult;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/** The agent's MBean. Exceptions leaving it are JDK types only, so a remote client without our classes reads them. */
final class AgentBean implements AgentMXBean {
    private static final System.Logger LOG = System.getLogger(AgentBean.class.getName());
    static final long REPORT_TIMEOUT_SECONDS = 120;

    private final String version;
    private final Instant startedAt;
    private final PluginHost plugins;
    private final FailureProcessor processor;
    private final DamageLedger ledger;
    private final InputValidator validator;
    private final Clock clock;
    final AtomicLong failuresReceived = new AtomicLong();

    AgentBean(String version, PluginHost plugins, FailureProcessor processor, DamageLedger ledger,
              InputValidator validator, Clock clock) {
        this.version = version;
        this.startedAt = clock.instant();
        this.plugins = plugins;
        this.processor = processor;
        this.ledger = ledger;
        this.validator = validator;
        this.clock = clock;
    }

    @Override
    public String getVersion() {
        return version;
    }

    @Override
    public String getStartedAt() {
        return startedAt.toString();
    }

    @Override
    public List<PluginView> getPlugins() {
        return plugins.plugins().values().stream()
                .map(plugin -> new PluginView(plugin.type(), plugin.getClass().getName(), plugin.spiVersion())).toList();
    }

    @Override
    public List<String> getPluginRefusals() {
        return plugins.refusals();
    }

    @Override
    public long getFailuresReceived() {
        return failuresReceived.get();
    }

    @Override
    public long getDamageRecords() {
        return ledger.records().size();
    }

    @Override
    public int getDamagedFiles() {
        return (int) DamagedFile.group(ledger.records(), null).stream()
                .filter(file -> file.state() == DamageState.OPEN).count();
    }

    @Override
    public boolean isLedgerDurable() {
        return ledger.health().durable();
    }

    @Override
    public String getLedgerHealth() {
        return ledger.health().message();
    }

    /** The message a remote client reads: never just "null" (an NPE has none). */
    static String describe(Throwable failure) {
        return failure.getMessage() != null ? failure.getMessage() : failure.toString();
    }

    @Override
    public String reportFailure(String device, long sector, long sectors, int errno) {
        FailureReport report = validator.check("reportFailure", new FailureReport(device, sector, sectors, errno));
        try {
            ProcessingResult result = processor.submit(report.toTuple("jmx", clock.instant()))
                    .get(REPORT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return result.summary();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause().getCause() != null && e.getCause() instanceof java.io.UncheckedIOException
                    ? e.getCause().getCause() : e.getCause();
            if (cause instanceof IllegalArgumentException) {
                throw new IllegalArgumentException("reportFailure rejected: " + cause.getMessage());
            }
            LOG.log(System.Logger.Level.WARNING, "reportFailure(" + device + ", " + sector + ", " + sectors + ") failed",
                    cause);
            throw new IllegalStateException("reportFailure failed: " + describe(cause));
        } catch (TimeoutException e) {
            throw new IllegalStateException("reportFailure: still processing after " + REPORT_TIMEOUT_SECONDS
                    + " s; the damage will be recorded when done");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("reportFailure interrupted");
        }
    }

    @Override
    public String status() {
        String header = String.format("daxguard %s, up since %s; %d plugin(s): %s", version, startedAt,
                plugins.plugins().size(), String.join(", ", plugins.plugins().keySet()))
                + (ledger.health().durable() ? "" : "\nLEDGER NOT DURABLE: " + ledger.health().message());
        return StatusReport.render(header, processor.filesystems().all(), ledger.records());
    }

    @Override
    public void refreshTopology() {
        try {
            processor.refreshTopology();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "refreshTopology failed", e);
            throw new IllegalStateException("refreshTopology failed: " + describe(e));
        }
    }
}
