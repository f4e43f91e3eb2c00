package io.daxguard.agent.plugins;

import java.net.URL;
import java.net.URLClassLoader;
import java.util.List;

/**
 * The class loader of one plugin directory. Its parent is the platform class loader, so a plugin sees the
 * JDK, its own jars, and from the agent only the shared packages: the SPI ({@code io.daxguard.spi}, with the
 * native wrappers) and JNA, which the wrappers use and which must be loaded once per JVM because it loads a
 * native library. Everything else of the agent (Jackson, Hibernate Validator, the agent's own classes) is
 * invisible, so a plugin may bundle other versions of the same libraries without a clash.
 */
final class PluginClassLoader extends URLClassLoader {
    /** Package prefixes a plugin shares with the agent; everything else is its own. */
    static final List<String> SHARED_PACKAGES = List.of("io.daxguard.spi.", "com.sun.jna.", "com.codahale.metrics.");

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
        return SHARED_PACKAGES.stream().anyMatch(className::startsWith);
    }
}
