package io.daxguard.testkit;

import io.daxguard.spi.PluginContext;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * A {@link PluginContext} of fixed values, for tests and measurement tools that attach a plugin themselves: the
 * record's accessors are the interface's methods.
 *
 * @param logger         where the plugin logs
 * @param settings       its {@code plugins.settings.<type>} map
 * @param stateDirectory its own state directory, or empty
 */
public record FixedPluginContext(System.Logger logger, Map<String, String> settings, Optional<Path> stateDirectory)
        implements PluginContext {
    public FixedPluginContext {
        settings = Map.copyOf(settings);
    }

    /** Logging to {@code loggerName}, with {@code settings} and no state directory. */
    public static FixedPluginContext withSettings(String loggerName, Map<String, String> settings) {
        return new FixedPluginContext(System.getLogger(loggerName), settings, Optional.empty());
    }

    /** Logging to {@code loggerName}, no settings, the state directory given. */
    public static FixedPluginContext withState(String loggerName, Optional<Path> stateDirectory) {
        return new FixedPluginContext(System.getLogger(loggerName), Map.of(), stateDirectory);
    }
}
