package io.daxguard.agent.plugins;

import java.net.URL;
import java.net.URLClassLoader;
import java.util.List;

/**
 * The class loader of one plugin directory. Its parent is the platform class loader, so a plugin sees the
 * JDK, its own jars, and from the agent only the shared packages: the SPI ({@code io.daxguard.spi}, exactly that
 * package) and JNA, which must be loaded once per JVM because it loads a native library (and whose types never
 * cross the SPI). Everything else of the agent is invisible: the support library (a plugin bundles the version
 * it was built with, in its own directory), the metrics library (plugins measure through
 * {@link io.daxguard.spi.PluginMetrics}), Jackson, Hibernate Validator and the agent's own classes; so a plugin
 * may bundle other versions of any of them without a clash.
 */
final class PluginClassLoader extends URLClassLoader {
    /** Packages a plugin shares with the agent: the SPI package itself, not its subpackages. */
    static final List<String> SHARED_PACKAGES = List.of("io.daxguard.spi");
    /** Package prefixes a plugin shares with the agent, subpackages included. */
    static final List<String> SHARED_PACKAGE_TREES = List.of("com.sun.jna.");

    static {
        registerAsParallelCapable();
    }

    private final ClassLoader agentLoader;

    PluginClassLoader(String name, URL[] jars, ClassLoader agentLoader) {
        super("plugin-" + name, jars, ClassLoader.getPlatformClassLoader());
        this.agentLoader = agentLoader;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (isShared(name)) {
            return agentLoader.loadClass(name);
        }
        return super.loadClass(name, resolve);
    }

    static boolean isShared(String className) {
        int lastDot = className.lastIndexOf('.');
        String packageName = lastDot < 0 ? "" : className.substring(0, lastDot);
        return SHARED_PACKAGES.contains(packageName) || SHARED_PACKAGE_TREES.stream().anyMatch(className::startsWith);
    }
}
