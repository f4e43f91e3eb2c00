package io.daxguard.agent.config;

import java.util.Objects;

/**
 * Dropwizard metrics.
 *
 * @param jmx  publish meters, timers and gauges as MBeans in the {@code io.daxguard.metrics} domain
 */
public record MetricsConfig(Boolean jmx) {
    public MetricsConfig {
        jmx = Objects.requireNonNullElse(jmx, true);
    }

    static MetricsConfig defaults() {
        return new MetricsConfig(null);
    }
}
