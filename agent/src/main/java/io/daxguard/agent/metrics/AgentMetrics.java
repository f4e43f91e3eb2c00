package io.daxguard.agent.metrics;

import io.daxguard.agent.plugins.AttachedFilesystem;
import io.daxguard.agent.plugins.TimedHolder;
import io.daxguard.spi.Holder;
import io.daxguard.support.index.RebuildCause;
import java.util.List;
import java.util.function.Supplier;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.jmx.JmxReporter;
import io.daxguard.agent.failure.DamageEvents;
import io.daxguard.agent.ledger.DamageLedger;
import io.daxguard.agent.source.FailureSources;
import io.daxguard.agent.source.SourceStatus;
import java.util.Optional;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import io.daxguard.agent.failure.FailureTuple;
import io.daxguard.agent.ledger.DamageRecord;
import io.daxguard.agent.ledger.DamageState;
import io.daxguard.agent.failure.DamageListener;
import javax.management.MBeanServer;

/**
 * Counts what flows through a running agent into the service's {@link MetricRegistry} and publishes the
 * registry as MBeans in the {@code io.daxguard.metrics} domain.
 *
 * <p>Meters: {@code tuples.<source>} (every tuple by the source that reported it), {@code routed} (recorded
 * with an owner), {@code unowned} (recorded on a range no filesystem holds), {@code coalesced} (reported again
 * while already known). Gauges: {@code damage.open} (open records), {@code queue.depth} (tuples waiting for
 * the router), {@code scrub.bytesPerSecond} (device bytes per second the running scrubs read, measured),
 * {@code scrub.bytesPerSecondLimit} (the configured limit of each scrub, 0 for none). Per failure source:
 * gauge {@code source.<name>.state} ({@link io.daxguard.agent.source.SourceState#code}: 0 STOPPED, 1 RUNNING,
 * 2 RESTARTING, 3 FAILED), counter {@code source.<name>.restarts}, and a gauge per thing the source counts
 * ({@code source.kmsg.unparsable}, {@code source.badblocks.unreadableFiles}, ...). Timers {@code reverseMap.<type>}
 * ({@link TimedHolder}) and {@code ledger.commit} (SqliteDamageLedger) are kept where the work happens. Gauges
 * {@code index.rebuilds.<cause>} ({@link RebuildCause#key()}: {@code first}, {@code changed}, {@code rejected},
 * {@code unexplained}, {@code inline}: full builds; {@code incremental}: refreshes that read only the changed files):
 * reverse-map index builds of the filesystems attached now, summed.
 */
public final class AgentMetrics implements DamageListener {
    public static final String DOMAIN = "io.daxguard.metrics";

    private final MetricRegistry registry;
    private final Meter routed;
    private final Meter unowned;
    private final Meter coalesced;

    private AgentMetrics(MetricRegistry registry) {
        this.registry = registry;
        this.routed = registry.meter("routed");
        this.unowned = registry.meter("unowned");
        this.coalesced = registry.meter("coalesced");
    }

    /**
     * Starts counting what {@code events} tells and, when {@code jmx} is given, reports there.
     *
     * @param queueDepth tuples waiting for the router
     * @param scrubRate  bytes per second the running scrubs read now, measured (0 when none runs)
     * @param scrubLimit the configured limit of each scrub, bytes per second (0 for none)
     * @param sources    the failure sources: their states, restarts and counters
     * @param attached   the filesystems attached now, whose index builds are counted
     * @return closing it stops the JMX reporter (the listener goes with the agent)
     */
    public static AutoCloseable start(MetricRegistry registry, DamageLedger ledger, IntSupplier queueDepth,
                                      LongSupplier scrubRate, long scrubLimit, FailureSources sources,
                                      Supplier<List<AttachedFilesystem>> attached, DamageEvents events,
                                      Optional<MBeanServer> jmx) {
        AgentMetrics metrics = new AgentMetrics(registry);
        registry.gauge("damage.open", () -> () -> ledger.records().stream()
                .filter(record -> record.state() == DamageState.OPEN).count());
        registry.gauge("queue.depth", () -> queueDepth::getAsInt);
        // 1 while every change is on disk, 0 while changes wait in memory (state directory full, read-only, gone).
        registry.gauge("ledger.durable", () -> () -> ledger.health().durable() ? 1 : 0);
        registry.gauge("ledger.pendingWrites", () -> () -> ledger.health().pendingWrites());
        registry.gauge("scrub.bytesPerSecond", () -> scrubRate::getAsLong);
        registry.gauge("scrub.bytesPerSecondLimit", () -> () -> scrubLimit);
        sources.counters().forEach((source, counted) -> {
            registry.gauge(MetricRegistry.name("source", source, "state"),
                    () -> () -> statusOf(sources, source).map(status -> status.state().code()).orElse(0));
            registry.register(MetricRegistry.name("source", source, "restarts"),
                    new CountOf(() -> statusOf(sources, source).map(SourceStatus::restarts).orElse(0)));
            for (String name : counted.keySet()) {
                registry.gauge(MetricRegistry.name("source", source, name),
                        () -> () -> sources.counters().getOrDefault(source, java.util.Map.of()).getOrDefault(name, 0L));
            }
        });
        for (RebuildCause cause : RebuildCause.values()) {
            registry.gauge(MetricRegistry.name("index", "rebuilds", cause.key()), () -> () -> attached.get().stream()
                    .flatMap(filesystem -> filesystem.holder().flatMap(Holder::reverseMapStatus).stream())
                    .mapToLong(status -> status.rebuilds().getOrDefault(cause.key(), 0L)).sum());
        }
        events.add(metrics);
        if (jmx.isEmpty()) {
            return () -> { };
        }
        JmxReporter reporter = JmxReporter.forRegistry(registry).registerWith(jmx.get()).inDomain(DOMAIN).build();
        reporter.start();
        return reporter::stop;
    }

    private static Optional<SourceStatus> statusOf(FailureSources sources, String name) {
        return sources.statuses().stream().filter(status -> status.name().equals(name)).findFirst();
    }

    /**
     * A counter whose count is kept elsewhere (the supervisor counts restarts): one truth, shown as a counter.
     * Nothing here counts, so inc and dec are refused.
     */
    private static final class CountOf extends Counter {
        private final LongSupplier count;

        CountOf(LongSupplier count) {
            this.count = count;
        }

        @Override
        public long getCount() {
            return count.getAsLong();
        }

        @Override
        public void inc(long n) {
            throw new UnsupportedOperationException("counted by the source supervisor");
        }

        @Override
        public void dec(long n) {
            throw new UnsupportedOperationException("counted by the source supervisor");
        }
    }

    @Override
    public void received(FailureTuple tuple) {
        registry.meter(MetricRegistry.name("tuples", tuple.source())).mark();
    }

    @Override
    public void recorded(DamageRecord record) {
        (record.unowned() ? unowned : routed).mark();
    }

    @Override
    public void seenAgain(DamageRecord record) {
        coalesced.mark();
    }
}
