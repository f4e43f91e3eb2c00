package io.daxguard.agent.plugins;

import io.daxguard.spi.FilesystemPlugin;
import io.daxguard.spi.SpiVersion;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * The filesystem plugins the agent found, by filesystem type. A plugin that cannot be loaded, or was built
 * for another SPI version, is refused with a reason and the agent runs on with the others.
 */
public final class PluginHost {
    private static final System.Logger LOG = System.getLogger(PluginHost.class.getName());

    private final Map<String, FilesystemPlugin> byType;
    private final List<String> refusals;

    private PluginHost(Map<String, FilesystemPlugin> byType, List<String> refusals) {
        this.byType = Map.copyOf(byType);
        this.refusals = List.copyOf(refusals);
    }

    /** Loads every plugin visible to {@code loader} through {@link ServiceLoader}. */
    public static PluginHost load(ClassLoader loader) {
        Map<String, FilesystemPlugin> found = new LinkedHashMap<>();
        List<String> refused = new java.util.ArrayList<>();
        ServiceLoader<FilesystemPlugin> services = ServiceLoader.load(FilesystemPlugin.class, loader);
        var iterator = services.iterator();
        while (true) {
            FilesystemPlugin plugin;
            try {
                if (!iterator.hasNext()) {
                    break;
                }
                plugin = iterator.next();
            } catch (ServiceConfigurationError broken) {
                refused.add("a plugin could not be loaded: " + broken.getMessage());
                LOG.log(System.Logger.Level.ERROR, "refused a plugin: " + broken.getMessage());
                continue;
            }
            String name = plugin.getClass().getName();
            if (plugin.spiVersion() != SpiVersion.CURRENT) {
                refused.add(name + " was built for SPI version " + plugin.spiVersion() + ", this agent speaks "
                        + SpiVersion.CURRENT);
                continue;
            }
            if (found.putIfAbsent(plugin.type(), plugin) != null) {
                refused.add(name + " serves " + plugin.type() + ", which " + found.get(plugin.type()).getClass().getName()
                        + " already serves");
                continue;
            }
            LOG.log(System.Logger.Level.INFO, "loaded plugin " + name + " for " + plugin.type());
        }
        return new PluginHost(found, refused);
    }

    public Optional<FilesystemPlugin> forType(String type) {
        return Optional.ofNullable(byType.get(type));
    }

    public Map<String, FilesystemPlugin> plugins() {
        return byType;
    }

    /** Why plugins were refused, one sentence each. */
    public List<String> refusals() {
        return refusals;
    }
}
