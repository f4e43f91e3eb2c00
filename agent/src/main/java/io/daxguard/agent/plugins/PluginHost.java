package io.daxguard.agent.plugins;

import com.codahale.metrics.MetricRegistry;
import io.daxguard.spi.FilesystemPlugin;
import io.daxguard.spi.Holder;
import io.daxguard.spi.Mount;
import io.daxguard.spi.PluginContext;
import io.daxguard.spi.PluginMetrics;
import io.daxguard.spi.SpiVersion;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
    private final MetricRegistry metrics;
    private final Map<String, Map<String, String>> settings;
    private final Optional<Path> stateDirectory;

    private PluginHost(Map<String, FilesystemPlugin> byType, List<String> refusals) {
        this(byType, refusals, new MetricRegistry(), Map.of(), Optional.empty());
    }

    private PluginHost(Map<String, FilesystemPlugin> byType, List<String> refusals, MetricRegistry metrics,
                       Map<String, Map<String, String>> settings, Optional<Path> stateDirectory) {
        this.byType = Map.copyOf(byType);
        this.refusals = List.copyOf(refusals);
        this.metrics = metrics;
        this.settings = Map.copyOf(settings);
        this.stateDirectory = stateDirectory;
    }

    /**
     * These plugins, given the agent's metric registry, their settings ({@code plugins.settings.<type>}
     * in the configuration) and, when the agent has a state directory, a private directory in it
     * ({@code <state>/plugins/<type>/}, see {@link PluginContext#stateDirectory()}) when they attach.
     */
    public PluginHost withServices(MetricRegistry registry, Map<String, Map<String, String>> pluginSettings,
                                   Optional<Path> agentStateDirectory) {
        return new PluginHost(byType, refusals, Objects.requireNonNull(registry, "registry is null"),
                Objects.requireNonNull(pluginSettings, "pluginSettings is null"),
                Objects.requireNonNull(agentStateDirectory, "agentStateDirectory is null"));
    }

    /**
     * Attaches {@code plugin} to {@code mount} with a context carrying the plugin's logger, settings, the
     * metric registry and its state directory (made when the plugin first asks); the holder's reverse-map lookups are timed as {@code reverseMap.<type>}.
     */
    public Holder attach(FilesystemPlugin plugin, Mount mount) throws IOException {
        String type = plugin.type();
        System.Logger logger = System.getLogger("io.daxguard.plugin." + type);
        Map<String, String> own = settings.getOrDefault(type, Map.of());
        PluginMetrics pluginMetrics = new RegistryPluginMetrics(metrics, type);
        PluginContext context = new PluginContext() {
            @Override
            public System.Logger logger() {
                return logger;
            }

            @Override
            public Map<String, String> settings() {
                return own;
            }

            @Override
            public PluginMetrics metrics() {
                return pluginMetrics;
            }

            @Override
            public Optional<Path> stateDirectory() {
                return stateDirectory.flatMap(state -> PluginStateDirectory.of(state, type));
            }
        };
        return new TimedHolder(plugin.attach(mount, context), metrics.timer(MetricRegistry.name("reverseMap", type)));
    }

    /** Exactly these plugins, already made (an embedding vendor's own, or a test's hand-made one). */
    public static PluginHost of(FilesystemPlugin... plugins) {
        Map<String, FilesystemPlugin> byType = new LinkedHashMap<>();
        for (FilesystemPlugin plugin : plugins) {
            if (byType.putIfAbsent(plugin.type(), plugin) != null) {
                throw new IllegalArgumentException("two plugins for filesystem type " + plugin.type());
            }
        }
        return new PluginHost(byType, List.of());
    }

    /** Loads every plugin visible to {@code loader} through {@link ServiceLoader}. */
    public static PluginHost load(ClassLoader loader) {
        Map<String, FilesystemPlugin> found = new LinkedHashMap<>();
        List<String> refused = new ArrayList<>();
        loadFrom(loader, "class path", found, refused);
        return new PluginHost(found, refused);
    }

    /**
     * Loads the plugins visible to {@code loader}, then those of every {@code plugins/<name>/} directory under
     * {@code pluginDirectory}, each in its own {@link PluginClassLoader}. A directory whose jars are broken, or
     * which declares another SPI version, is refused with a reason naming it; the others load.
     */
    public static PluginHost load(ClassLoader loader, Path pluginDirectory) throws IOException {
        Map<String, FilesystemPlugin> found = new LinkedHashMap<>();
        List<String> refused = new ArrayList<>();
        loadFrom(loader, "class path", found, refused);
        ClassLoader agentLoader = FilesystemPlugin.class.getClassLoader();
        for (PluginDirectory directory : PluginDirectory.under(pluginDirectory)) {
            String where = "plugin " + directory.name() + " (" + pluginDirectory.resolve(directory.name()) + ")";
            try {
                directory.checkJarsReadable();
                for (int declared : directory.declaredSpiVersions()) {
                    if (declared != SpiVersion.CURRENT) {
                        throw new IOException("built for SPI version " + declared + ", this agent speaks "
                                + SpiVersion.CURRENT);
                    }
                }
            } catch (IOException refusal) {
                refuse(refused, where + " refused: " + refusal.getMessage());
                continue;
            }
            loadFrom(new PluginClassLoader(directory.name(), directory.urls(), agentLoader), where, found, refused);
        }
        return new PluginHost(found, refused);
    }

    private static void loadFrom(ClassLoader loader, String where, Map<String, FilesystemPlugin> found,
                                 List<String> refused) {
        ServiceLoader<FilesystemPlugin> services = ServiceLoader.load(FilesystemPlugin.class, loader);
        var iterator = services.iterator();
        while (true) {
            FilesystemPlugin plugin;
            try {
                if (!iterator.hasNext()) {
                    break;
                }
                plugin = iterator.next();
            } catch (ServiceConfigurationError | LinkageError broken) {
                refuse(refused, where + ": a plugin could not be loaded: " + broken.getMessage());
                continue;
            }
            String name = plugin.getClass().getName();
            int spiVersion;
            try {
                spiVersion = plugin.spiVersion();
            } catch (LinkageError | RuntimeException broken) {
                refuse(refused, where + ": " + name + " failed to say its SPI version: " + broken);
                continue;
            }
            if (spiVersion != SpiVersion.CURRENT) {
                refuse(refused, where + ": " + name + " was built for SPI version " + spiVersion
                        + ", this agent speaks " + SpiVersion.CURRENT);
                continue;
            }
            if (found.putIfAbsent(plugin.type(), plugin) != null) {
                refuse(refused, where + ": " + name + " serves " + plugin.type() + ", which "
                        + found.get(plugin.type()).getClass().getName() + " already serves");
                continue;
            }
            LOG.log(System.Logger.Level.INFO, "loaded plugin " + name + " for " + plugin.type() + " from " + where);
        }
    }

    private static void refuse(List<String> refused, String reason) {
        refused.add(reason);
        LOG.log(System.Logger.Level.ERROR, "refused: " + reason);
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
