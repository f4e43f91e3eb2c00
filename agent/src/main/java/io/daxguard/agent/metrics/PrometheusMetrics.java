package io.daxguard.agent.metrics;

import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import io.daxguard.agent.ledger.AffectedOwner;
import io.daxguard.agent.ledger.DamageLedger;
import io.daxguard.agent.ledger.DamageRecord;
import io.daxguard.agent.ledger.DamageState;
import io.daxguard.agent.ledger.FileKey;
import io.daxguard.agent.ledger.LedgerHealth;
import io.daxguard.agent.plugins.AttachedFilesystem;
import io.daxguard.agent.source.FailureSources;
import io.daxguard.agent.source.SourceState;
import io.daxguard.agent.source.SourceStatus;
import io.daxguard.agent.source.scrub.ScrubProgress;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.FreeSpaceOwner;
import io.daxguard.spi.MetadataOwner;
import io.daxguard.spi.Owner;
import io.daxguard.spi.ReverseMapStatus;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The agent's state for Prometheus, read at each scrape (nothing is kept between scrapes). Names follow Prometheus's
 * conventions: the {@code daxguard_} prefix, base units ({@code _bytes}, {@code _seconds}), {@code _total} on counters
 * (added by the exposition), a {@code filesystem} label with the mount point and never a label per file (paths stay in
 * JMX, the ledger and {@code daxguard events}). What each metric means is in its help text and in
 * {@code dist/src/main/prometheus/daxguard-alerts.yml}, which alerts from them.
 */
public final class PrometheusMetrics implements MultiCollector {
    /** Where each scrape reads from; every supplier is cheap or bounded by the open damage. */
    public record Sources(DamageLedger ledger, FailureSources failureSources, Supplier<List<AttachedFilesystem>> attached,
                          Function<String, ScrubProgress> scrubOf, IntSupplier queueDepth, MetricRegistry registry) {
    }

    private final Sources from;

    public PrometheusMetrics(Sources from) {
        this.from = from;
    }

    @Override
    public MetricSnapshots collect() {
        MetricSnapshots.Builder all = MetricSnapshots.builder();
        damage(all);
        tuplesAndSources(all);
        LedgerHealth health = from.ledger().health();
        all.metricSnapshot(gauge("daxguard_ledger_durable", "1 while every change is on disk, 0 while changes wait in "
                + "memory (state directory full, read-only or gone)", null, Labels.EMPTY, health.durable() ? 1 : 0));
        all.metricSnapshot(gauge("daxguard_ledger_pending_writes", "Ledger changes waiting in memory to be written",
                null, Labels.EMPTY, health.pendingWrites()));
        all.metricSnapshot(gauge("daxguard_queue_depth", "Failure tuples waiting for the router", null, Labels.EMPTY,
                from.queueDepth().getAsInt()));
        filesystems(all);
        return all.build();
    }

    private void damage(MetricSnapshots.Builder all) {
        Map<List<String>, long[]> byFilesystemAndKind = new TreeMap<>(java.util.Comparator.comparing(Object::toString));
        // A file damaged in several places is one damaged file, as daxguard status counts it; its bytes all count.
        // FileKey equality is the identity (UUID, subvolume, inode, generation); owners that are no file count each.
        java.util.Set<FileKey> filesCounted = new java.util.HashSet<>();
        for (DamageRecord record : from.ledger().records()) {
            if (record.state() != DamageState.OPEN) {
                continue;
            }
            if (record.owners().isEmpty()) {
                long[] counted = byFilesystemAndKind.computeIfAbsent(List.of("", "device"), key -> new long[2]);
                counted[0]++;
                counted[1] += record.length();
                continue;
            }
            for (AffectedOwner affected : record.owners()) {
                if (affected.state() != DamageState.OPEN) {
                    continue;
                }
                long[] counted = byFilesystemAndKind.computeIfAbsent(
                        List.of(affected.filesystem().mountPoint(), kind(affected.owner())), key -> new long[2]);
                if (affected.fileKey().map(filesCounted::add).orElse(true)) {
                    counted[0]++;
                }
                counted[1] += affected.owner().length();
            }
        }
        GaugeSnapshot.Builder open = GaugeSnapshot.builder().name("daxguard_damage_open")
                .help("Open damage by filesystem mount point and kind: damaged files (one however many places it is "
                        + "damaged in), metadata structures and free ranges hit; device ranges no filesystem holds: "
                        + "kind device");
        GaugeSnapshot.Builder bytes = GaugeSnapshot.builder().name("daxguard_damage_open_bytes").unit(Unit.BYTES)
                .help("Bytes of open damage by filesystem mount point and kind");
        byFilesystemAndKind.forEach((key, counted) -> {
            Labels labels = Labels.of("filesystem", key.get(0), "kind", key.get(1));
            open.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels).value(counted[0]).build());
            bytes.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels).value(counted[1]).build());
        });
        all.metricSnapshot(open.build()).metricSnapshot(bytes.build());
    }

    private static String kind(Owner owner) {
        if (owner instanceof FileOwner) {
            return "file";
        }
        if (owner instanceof MetadataOwner) {
            return "metadata";
        }
        return owner instanceof FreeSpaceOwner ? "free" : "unknown";
    }

    private void tuplesAndSources(MetricSnapshots.Builder all) {
        CounterSnapshot.Builder tuples = CounterSnapshot.builder().name("daxguard_tuples")
                .help("Failure tuples received, by source (kmsg, badblocks, scrub, operator, ...)");
        // Every running source has a series from the start (0 until its first tuple), so rate() sees it begin.
        Map<String, Long> bySource = new TreeMap<>();
        from.failureSources().statuses().forEach(status -> bySource.put(status.name(), 0L));
        for (Map.Entry<String, Meter> meter : from.registry().getMeters(
                (name, metric) -> name.startsWith("tuples.")).entrySet()) {
            bySource.put(meter.getKey().substring("tuples.".length()), meter.getValue().getCount());
        }
        bySource.forEach((source, count) -> tuples.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder()
                .labels(Labels.of("source", source)).value(count).build()));
        GaugeSnapshot.Builder up = GaugeSnapshot.builder().name("daxguard_source_up")
                .help("1 while a failure source runs, 0 while it is stopped, restarting or failed");
        CounterSnapshot.Builder restarts = CounterSnapshot.builder().name("daxguard_source_restarts")
                .help("Restarts of a failure source after it failed");
        for (SourceStatus status : from.failureSources().statuses()) {
            Labels labels = Labels.of("source", status.name());
            up.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels)
                    .value(status.state() == SourceState.RUNNING ? 1 : 0).build());
            restarts.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().labels(labels)
                    .value(status.restarts()).build());
        }
        all.metricSnapshot(tuples.build()).metricSnapshot(up.build()).metricSnapshot(restarts.build());
    }

    private void filesystems(MetricSnapshots.Builder all) {
        GaugeSnapshot.Builder held = GaugeSnapshot.builder().name("daxguard_filesystem_held")
                .help("1 for a filesystem a plugin holds (its failures are resolved), 0 for one it refused");
        GaugeSnapshot.Builder scrubRunning = GaugeSnapshot.builder().name("daxguard_scrub_running")
                .help("1 while a scrub of the filesystem runs");
        GaugeSnapshot.Builder scrubDone = GaugeSnapshot.builder().name("daxguard_scrub_progress_ratio")
                .help("Part of the filesystem's written data the current or last scrub has read, 0 to 1");
        GaugeSnapshot.Builder scrubStarted = GaugeSnapshot.builder().name("daxguard_scrub_last_start_timestamp_seconds")
                .unit(Unit.SECONDS).help("When the current or last scrub of the filesystem started (Unix time)");
        GaugeSnapshot.Builder indexReady = GaugeSnapshot.builder().name("daxguard_index_ready")
                .help("1 when the filesystem's reverse-map index answers (ready, or rebuilding over a ready one); 0 while"
                        + " its first build runs, after a build failed, and once it is closed");
        CounterSnapshot.Builder rebuilds = CounterSnapshot.builder().name("daxguard_index_rebuilds")
                .help("Reverse-map index builds by cause (first, changed, rejected, unexplained, inline: full builds;"
                        + " incremental: refreshes that read only the changed files)");
        for (AttachedFilesystem filesystem : from.attached().get()) {
            String mountPoint = filesystem.mount().mountPoint().toString();
            Labels labels = Labels.of("filesystem", mountPoint, "type", filesystem.mount().fsType());
            held.dataPoint(point(labels, filesystem.holder().isPresent() ? 1 : 0));
            if (filesystem.holder().isEmpty()) {
                continue;
            }
            ScrubProgress scrub = from.scrubOf().apply(mountPoint);
            Labels fs = Labels.of("filesystem", mountPoint);
            scrubRunning.dataPoint(point(fs, "RUNNING".equals(scrub.state()) ? 1 : 0));
            scrubDone.dataPoint(point(fs, scrub.bytesTotal() <= 0 ? 0 : (double) scrub.bytesDone() / scrub.bytesTotal()));
            startedAt(scrub).ifPresent(started -> scrubStarted.dataPoint(point(fs, started.getEpochSecond())));
            filesystem.holder().flatMap(holder -> holder.reverseMapStatus()).ifPresent(status -> {
                indexReady.dataPoint(point(fs, status.state() == ReverseMapStatus.State.READY
                        || status.state() == ReverseMapStatus.State.REBUILDING ? 1 : 0));
                status.rebuilds().forEach((cause, count) -> rebuilds.dataPoint(CounterSnapshot.CounterDataPointSnapshot
                        .builder().labels(Labels.of("filesystem", mountPoint, "cause", cause)).value(count).build()));
            });
        }
        all.metricSnapshot(held.build()).metricSnapshot(scrubRunning.build()).metricSnapshot(scrubDone.build())
                .metricSnapshot(scrubStarted.build()).metricSnapshot(indexReady.build())
                .metricSnapshot(rebuilds.build());
    }

    private static java.util.Optional<Instant> startedAt(ScrubProgress scrub) {
        try {
            return scrub.startedAt().isBlank() ? java.util.Optional.empty()
                    : java.util.Optional.of(Instant.parse(scrub.startedAt()));
        } catch (DateTimeParseException notATime) {
            return java.util.Optional.empty();
        }
    }

    private static GaugeSnapshot.GaugeDataPointSnapshot point(Labels labels, double value) {
        return GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels).value(value).build();
    }

    private static GaugeSnapshot gauge(String name, String help, Unit unit, Labels labels, double value) {
        GaugeSnapshot.Builder gauge = GaugeSnapshot.builder().name(name).help(help);
        if (unit != null) {
            gauge.unit(unit);
        }
        return gauge.dataPoint(point(labels, value)).build();
    }
}
