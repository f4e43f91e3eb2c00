package io.daxguard.agent.plugins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daxguard.spi.FilesystemPlugin;
import io.daxguard.spi.SpiVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plugins built separately (compiled here against plugin-api only) and loaded from plugins/<name>/
 * directories, each in its own class loader.
 */
class PluginIsolationTest {
    @TempDir
    static Path work;
    private static Path plugins;
    private static PluginHost host;

    @BeforeAll
    static void buildPluginsAndLoadThem() throws Exception {
        plugins = work.resolve("plugins");
        PluginJar.build(work, plugins.resolve("alpha/alpha.jar"),
                PluginJar.plugin("com.example.alpha", "alphafs", SpiVersion.CURRENT), null);
        PluginJar.build(work, plugins.resolve("beta/beta.jar"),
                PluginJar.plugin("com.example.beta", "betafs", SpiVersion.CURRENT), null);
        PluginJar.build(work, plugins.resolve("future/future.jar"),
                PluginJar.plugin("com.example.future", "futurefs", SpiVersion.CURRENT + 1), null);
        PluginJar.build(work, plugins.resolve("declared/declared.jar"),
                PluginJar.plugin("com.example.declared", "declaredfs", SpiVersion.CURRENT),
                String.valueOf(SpiVersion.CURRENT + 1));
        Files.createDirectories(plugins.resolve("broken"));
        Files.write(plugins.resolve("broken/broken.jar"), "PK\u0003\u0004 this is not a jar".getBytes());
        host = PluginHost.load(ClassLoader.getPlatformClassLoader(), plugins);
    }

    @Test
    void eachPluginSeesItsOwnCopyOfALibraryBothBundle() {
        assertThat(host.plugins()).containsKeys("alphafs", "betafs");
    }

    @Test
    void aPluginSharesTheSpiClassesWithTheAgent() throws Exception {
        ClassLoader loader = host.forType("alphafs").orElseThrow().getClass().getClassLoader();

        assertThat(loader.loadClass(FilesystemPlugin.class.getName())).isSameAs(FilesystemPlugin.class);
    }

    @Test
    void aPluginCannotSeeTheAgentsOwnClasses() {
        ClassLoader loader = host.forType("alphafs").orElseThrow().getClass().getClassLoader();

        assertThatThrownBy(() -> loader.loadClass(PluginHost.class.getName()))
                .isInstanceOf(ClassNotFoundException.class);
    }

    @Test
    void aPluginDoesNotSeeTheAgentsSupportLibraryOrMetricsLibrary() {
        ClassLoader loader = host.forType("alphafs").orElseThrow().getClass().getClassLoader();

        // The support library travels with each plugin (plugins/<name>/), the metrics library not at all: a plugin
        // that bundles neither finds neither, so it cannot come to depend on the agent's copies by accident.
        assertThatThrownBy(() -> loader.loadClass(io.daxguard.support.linux.NativeFile.class.getName()))
                .isInstanceOf(ClassNotFoundException.class);
        assertThatThrownBy(() -> loader.loadClass(com.codahale.metrics.MetricRegistry.class.getName()))
                .isInstanceOf(ClassNotFoundException.class);
    }

    @Test
    void theSharedSpiIsOnePackageNotAPrefix() {
        assertThat(PluginClassLoader.isShared("io.daxguard.spi.Holder")).isTrue();
        assertThat(PluginClassLoader.isShared("io.daxguard.spi.internal.Helper")).isFalse();
        assertThat(PluginClassLoader.isShared("io.daxguard.spiderfs.Plugin")).isFalse();
        assertThat(PluginClassLoader.isShared("io.daxguard.support.index.LiveReverseMap")).isFalse();
        assertThat(PluginClassLoader.isShared("com.sun.jna.Native")).isTrue();
    }

    @Test
    void aPluginBuiltForAnotherSpiVersionIsRefusedByName() {
        assertThat(host.forType("futurefs")).isEmpty();
        assertThat(host.refusals()).anySatisfy(reason -> assertThat(reason)
                .contains("plugin future").contains("com.example.future.TestPlugin")
                .contains("built for SPI version " + (SpiVersion.CURRENT + 1)));
    }

    @Test
    void aJarDeclaringAnotherSpiVersionIsRefusedBeforeLoadingAnyClass() {
        assertThat(host.forType("declaredfs")).isEmpty();
        assertThat(host.refusals()).anySatisfy(reason -> assertThat(reason)
                .contains("plugin declared").contains("built for SPI version " + (SpiVersion.CURRENT + 1)));
    }

    @Test
    void aBrokenJarIsRefusedNamingIt() {
        assertThat(host.refusals()).anySatisfy(reason -> assertThat(reason)
                .contains("plugin broken").contains("jar broken.jar is broken"));
    }

    @Test
    void aMissingPluginDirectoryHoldsNoPlugins() throws Exception {
        PluginHost none = PluginHost.load(ClassLoader.getPlatformClassLoader(), work.resolve("nothing-here"));

        assertThat(none.plugins()).isEmpty();
    }
}
