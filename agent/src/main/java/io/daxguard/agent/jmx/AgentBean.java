package io.daxguard.agent.jmx;

import io.daxguard.agent.ledger.DamageLedger;
import io.daxguard.agent.ledger.DamageState;
import io.daxguard.agent.ledger.DamagedFile;
import io.daxguard.agent.plugins.AttachedFilesystem;
import io.daxguard.agent.plugins.PluginHost;
import io.daxguard.agent.recovery.FileNames;
import io.daxguard.agent.source.SourceStatus;
import io.daxguard.agent.source.operator.OperatorReports;
import io.daxguard.agent.source.operator.ReportedFailure;
import io.daxguard.agent.validation.RequestLimits;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/** The agent's MBean. Exceptions leaving it are JDK types only, so a remote client without our classes reads them. */
final class AgentBean implements AgentMXBean {
    private static final System.Logger LOG = System.getLogger(AgentBean.class.getName());

    private final String version;
    private final Instant startedAt;
    private final PluginHost plugins;
    private final Pipeline pipeline;
    private final DamageLedger ledger;
    final AtomicLong failuresReceived = new AtomicLong();
    /** The failure sources' states; set once the sources exist (they are made after the MBeans' surface). */
    private volatile Supplier<List<SourceStatus>> sources = List::of;

    private final FileNames names;

    private final RequestLimits limits;

    /** The recovery policy of a filesystem, in one line ({@code none: manual} when none matches). */
    private final java.util.function.Function<AttachedFilesystem, String> policyOf;

    /** Whether daxguard froze a filesystem, in one line (since when, by whom, how to thaw); empty when not. */
    private final java.util.function.Function<AttachedFilesystem, java.util.Optional<String>> frozenOf;

    AgentBean(String version, PluginHost plugins, Pipeline pipeline, DamageLedger ledger, Clock clock, FileNames names,
              RequestLimits limits, java.util.function.Function<AttachedFilesystem, String> policyOf,
              java.util.function.Function<AttachedFilesystem, java.util.Optional<String>> frozenOf) {
        this.policyOf = policyOf;
        this.frozenOf = frozenOf;
        this.names = names;
        this.limits = limits;
        this.version = version;
        this.startedAt = clock.instant();
        this.plugins = plugins;
        this.pipeline = pipeline;
        this.ledger = ledger;
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

    void useSources(Supplier<List<SourceStatus>> sources) {
        this.sources = sources;
    }

    @Override
    public List<SourceView> getSources() {
        return sources.get().stream().map(SourceView::of).toList();
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
    public int getDamagedFileCount() {
        return (int) DamagedFile.group(ledger.records()).stream()
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

    @Override
    public String reportFailure(String device, long sector, long sectors, int errno) {
        return pipeline.reports().report(device, sector, sectors, errno, "jmx");
    }

    @Override
    public List<ReportedFailure> reportFailures(String[] devices, long[] sectors, long[] sectorCounts, int[] errnos) {
        return pipeline.reports().reportAll(devices, sectors, sectorCounts, errnos, "jmx");
    }

    @Override
    public void checkFailures(String[] devices, long[] sectors, long[] sectorCounts, int[] errnos) {
        pipeline.reports().checkAll(devices, sectors, sectorCounts, errnos, "jmx");
    }

    @Override
    public RequestLimits getRequestLimits() {
        return limits;
    }

    @Override
    public String status() {
        return status(true);
    }

    @Override
    public String statusSummary() {
        return status(false);
    }

    private String status(boolean everyRange) {
        String header = String.format("daxguard %s, up since %s; %d plugin(s): %s", version, startedAt,
                plugins.plugins().size(), String.join(", ", plugins.plugins().keySet()))
                + (ledger.health().durable() ? "" : "\nLEDGER NOT DURABLE: " + ledger.health().message());
        // Files are shown under their names now: renames since detection are followed in the ledger first.
        names.current(DamagedFile.group(ledger.records()).stream().filter(file -> !file.openHits().isEmpty()).toList());
        return StatusReport.render(header, sources.get(), pipeline.filesystems().all(), ledger.records(), everyRange,
                policyOf, frozenOf, pipeline.filesystems()::memberLabels);
    }

    @Override
    public void refreshTopology() {
        try {
            pipeline.topology().refresh();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "refreshTopology failed", e);
            throw new IllegalStateException("refreshTopology failed: " + OperatorReports.describe(e));
        }
    }
}
