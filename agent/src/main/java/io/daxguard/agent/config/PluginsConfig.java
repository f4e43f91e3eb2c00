package io.daxguard.agent.config;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.util.Map;
import java.util.Objects;

/**
 * Plugins.
 *
 * @param directory  one subdirectory per plugin ({@code plugins/xfs/*.jar}), each loaded in its own class loader
 * @param settings   settings handed to each plugin by filesystem type ({@code settings.xfs.key: value})
 */
public record PluginsConfig(@NotBlank String directory, @NotNull Map<String, Map<String, String>> settings) {
    public PluginsConfig {
        directory = Objects.requireNonNullElse(directory, "plugins");
        settings = Map.copyOf(Objects.requireNonNullElse(settings, Map.of()));
    }

    static PluginsConfig defaults() {
        return new PluginsConfig(null, null);
    }
}
