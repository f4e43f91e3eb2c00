package io.daxguard.spi;

import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * Where a plugin puts its own measurements. The agent publishes them with its own metrics, named
 * {@code plugin.<type>.<name>}; a plugin needs no metrics library of its own and none of the agent's.
 * Implementations are thread-safe; asking twice for one name gives the same meter.
 */
public interface PluginMetrics {
    /** A metric name: letters, digits, '.', '_' and '-', 1 to 100 characters. */
    Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    /** A count that only goes up. */
    interface Counter {
        void add(long amount);

        default void increment() {
            add(1);
        }
    }

    /** Durations of one kind of event. */
    interface EventTimer {
        void record(long nanoseconds);
    }

    /** The counter {@code name}; {@link IllegalArgumentException} when the name is not a {@link #NAME}. */
    Counter counter(String name);

    /** The timer {@code name}; {@link IllegalArgumentException} when the name is not a {@link #NAME}. */
    EventTimer timer(String name);

    /** A value read when the metrics are read; a second gauge of one name replaces the first. */
    void gauge(String name, LongSupplier value);

    /** Checks a metric name, for implementations. */
    static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("metric name must match " + NAME.pattern() + ", was " + name);
        }
        return name;
    }

    /** Metrics nobody reads: the default of {@link PluginContext#metrics()}, for tests and tools. */
    static PluginMetrics none() {
        return new PluginMetrics() {
            @Override
            public Counter counter(String name) {
                checkName(name);
                return amount -> { };
            }

            @Override
            public EventTimer timer(String name) {
                checkName(name);
                return nanoseconds -> { };
            }

            @Override
            public void gauge(String name, LongSupplier value) {
                checkName(name);
            }
        };
    }
}
