package io.daxguard.spi;

import java.util.Map;

/** What the agent gives a plugin when it attaches. */
public interface PluginContext {

    /** The logger a plugin should use, so its messages reach the agent's log. */
    System.Logger logger();

    /** Plugin settings from the agent configuration ({@code plugins.settings.<type>}, a map of strings); empty by default. */
    Map<String, String> settings();

    /**
     * The agent's metric registry (published under {@code io.daxguard.metrics}), for a plugin's own meters and
     * timers; name them after the plugin's type. By default a private registry nobody publishes.
     */
    default com.codahale.metrics.MetricRegistry metrics() {
        return new com.codahale.metrics.MetricRegistry();
    }

    /**
     * A directory of the plugin's own in the agent's state directory ({@code <state>/plugins/<type>/}, made by the
     * agent, owned by it, mode 0700), for what should survive a restart of the agent, such as a saved reverse-map
     * index ({@link io.daxguard.spi.index.SavedIndexFile}). Nothing in it is required: a plugin must work the same
     * (only slower to start) when it is empty, damaged or absent. Empty when the agent runs without a state
     * directory (tests, tools), and by default.
     */
    default java.util.Optional<java.nio.file.Path> stateDirectory() {
        return java.util.Optional.empty();
    }

    /** A context with the given logger and no settings; for tests and tools. */
    static PluginContext of(System.Logger logger) {
        return new PluginContext() {
            @Override
            public System.Logger logger() {
                return logger;
            }

            @Override
            public Map<String, String> settings() {
                return Map.of();
            }
        };
    }
}
