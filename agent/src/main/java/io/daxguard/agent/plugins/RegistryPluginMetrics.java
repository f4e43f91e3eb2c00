package io.daxguard.agent.plugins;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import io.daxguard.spi.PluginMetrics;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A plugin's {@link PluginMetrics} on the agent's registry: every name is put under {@code plugin.<type>.}, so a
 * plugin can neither see nor replace the agent's meters or another plugin's, and needs no Dropwizard types.
 */
record RegistryPluginMetrics(MetricRegistry registry, String type) implements PluginMetrics {

    @Override
    public Counter counter(String name) {
        com.codahale.metrics.Counter counter = registry.counter(fullName(name));
        return counter::inc;
    }

    @Override
    public EventTimer timer(String name) {
        com.codahale.metrics.Timer timer = registry.timer(fullName(name));
        return nanoseconds -> timer.update(nanoseconds, TimeUnit.NANOSECONDS);
    }

    @Override
    public void gauge(String name, LongSupplier value) {
        String full = fullName(name);
        registry.remove(full);
        registry.register(full, (Gauge<Long>) value::getAsLong);
    }

    private String fullName(String name) {
        return MetricRegistry.name("plugin", type, PluginMetrics.checkName(name));
    }
}
