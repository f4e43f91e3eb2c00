package io.daxguard.agent.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.util.Objects;

/**
 * The agent's metrics.
 *
 * @param jmx        publish Dropwizard meters, timers and gauges as MBeans in the {@code io.daxguard.metrics} domain
 * @param prometheus the optional Prometheus exposition endpoint
 */
public record MetricsConfig(Boolean jmx, @NotNull @Valid PrometheusConfig prometheus) {
    public MetricsConfig {
        jmx = Objects.requireNonNullElse(jmx, true);
        prometheus = Objects.requireNonNullElseGet(prometheus, PrometheusConfig::defaults);
    }

    static MetricsConfig defaults() {
        return new MetricsConfig(null, null);
    }
}
