package io.daxguard.agent.plugins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.codahale.metrics.MetricRegistry;
import io.daxguard.spi.PluginMetrics;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RegistryPluginMetricsTest {
    private final MetricRegistry registry = new MetricRegistry();
    private final PluginMetrics btrfs = new RegistryPluginMetrics(registry, "btrfs");

    @Test
    void aPluginsCounterIsPublishedUnderItsType() {
        btrfs.counter("tree.searches").add(3);
        btrfs.counter("tree.searches").increment();

        assertThat(registry.counter("plugin.btrfs.tree.searches").getCount()).isEqualTo(4);
    }

    @Test
    void aPluginsTimerRecordsNanoseconds() {
        btrfs.timer("logical.ino").record(TimeUnit.MILLISECONDS.toNanos(2));

        assertThat(registry.timer("plugin.btrfs.logical.ino").getSnapshot().getMax())
                .isEqualTo(TimeUnit.MILLISECONDS.toNanos(2));
    }

    @Test
    void aSecondGaugeOfOneNameReplacesTheFirst() {
        btrfs.gauge("devices", () -> 1);
        btrfs.gauge("devices", () -> 2);

        assertThat(registry.getGauges().get("plugin.btrfs.devices").getValue()).isEqualTo(2L);
    }

    @Test
    void aPluginCannotNameItsWayOutOfItsOwnPrefix() {
        assertThatThrownBy(() -> btrfs.counter("../ledger.commit"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("../ledger.commit");
        assertThatThrownBy(() -> btrfs.counter(""))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("metric name");
    }
}
