package io.daxguard.agent.metrics;

import io.daxguard.agent.plugins.TimedHolder;

import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.jmx.JmxReporter;
import io.daxguard.agent.failure.DamageEvents;
import io.daxguard.agent.ledger.DamageLedger;
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
 * the router), {@code scrub.bytesPerSecond} (the rate the running scrubs read at, measured). Timers {@code reverseMap.<type>} ({@link TimedHolder}) and
 * {@code ledger.commit} (SqliteDamageLedger) are kept where the work happens.
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
     * @return closing it stops the JMX reporter (the listener goes with the agent)
     */
    public static AutoCloseable start(MetricRegistry registry, DamageLedger ledger, IntSupplier queueDepth,
                                      LongSupplier scrubRate, DamageEvents events, Optional<MBeanServer> jmx) {
        AgentMetrics metrics = new AgentMetrics(registry);
        registry.gauge("damage.open", () -> () -> ledger.records().stream()
                .filter(record -> record.state() == DamageState.OPEN).count());
        registry.gauge("queue.depth", () -> queueDepth::getAsInt);
        registry.gauge("scrub.bytesPerSecond", () -> scrubRate::getAsLong);
        events.add(metrics);
        if (jmx.isEmpty()) {
            return () -> { };
        }
        JmxReporter reporter = JmxReporter.forRegistry(registry).registerWith(jmx.get()).inDomain(DOMAIN).build();
        reporter.start();
        return reporter::stop;
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
