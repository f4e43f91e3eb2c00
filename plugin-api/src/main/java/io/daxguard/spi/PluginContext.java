package io.daxguard.spi;

import java.util.Map;

/** What the agent gives a plugin when it attaches. */
public interface PluginContext {

    /** The logger a plugin should use, so its messages reach the agent's log. */
    System.Logger logger();

    /** Plugin settings from the agent configuration ({@code plugins.settings.<type>}, a map of strings); empty by default. */
    Map<String, String> settings();

    /**
     * Where the plugin's own counters, timers and gauges go; the agent publishes them with its metrics as
     * {@code plugin.<type>.<name>}. By default, metrics nobody reads.
     */
    default PluginMetrics metrics() {
        return PluginMetrics.none();
    }

    /**
     * A directory of the plugin's own in the agent's state directory ({@code <state>/plugins/<type>/}, made by the
     * agent, owned by it, mode 0700), for what should survive a restart of the agent, such as a saved reverse-map
     * index (the support library's {@code SavedIndexFile}). Nothing in it is required: a plugin must work the same
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
