package io.daxguard.agent.plugins;

import io.daxguard.spi.FilesystemPlugin;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Builds a plugin jar from Java sources at test time, compiled against plugin-api only, so the plugin is
 * not on the agent's class path: the way a vendor's plugin arrives.
 */
final class PluginJar {
    private PluginJar() {
    }

    /**
     * @param sources      class name to source text
     * @param manifestSpi  the {@code Daxguard-SPI-Version} manifest attribute, or null for none
     */
    static Path build(Path workDirectory, Path jar, Map<String, String> sources, String manifestSpi)
            throws IOException, URISyntaxException {
        Path sourceRoot = Files.createTempDirectory(workDirectory, "src");
        Path classes = Files.createTempDirectory(workDirectory, "classes");
        List<String> arguments = new ArrayList<>(List.of("--release", "17", "-d", classes.toString(), "-cp",
                Path.of(FilesystemPlugin.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString()));
        for (Map.Entry<String, String> source : sources.entrySet()) {
            Path file = sourceRoot.resolve(source.getKey().replace('.', '/') + ".java");
            Files.createDirectories(file.getParent());
            Files.writeString(file, source.getValue());
            arguments.add(file.toString());
        }
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        if (compiler.run(null, null, System.err, arguments.toArray(String[]::new)) != 0) {
            throw new IllegalStateException("test plugin did not compile");
        }
        Path services = classes.resolve("META-INF/services/" + FilesystemPlugin.class.getName());
        Files.createDirectories(services.getParent());
        Files.writeString(services, sources.keySet().stream().filter(name -> name.endsWith("Plugin"))
                .findFirst().orElseThrow() + "\n");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (manifestSpi != null) {
            manifest.getMainAttributes().put(PluginDirectory.SPI_VERSION, manifestSpi);
        }
        Files.createDirectories(jar.getParent());
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest);
             Stream<Path> files = Files.walk(classes)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(file).toString().replace('\\', '/')));
                Files.copy(file, (OutputStream) out);
                out.closeEntry();
            }
        }
        return jar;
    }

    /** A plugin serving {@code type}, whose type name comes from a library class it bundles. */
    static Map<String, String> plugin(String pluginPackage, String libraryValue, int spiVersion) {
        return Map.of(
                "com.example.shared.Library", """
                        package com.example.shared;
                        public final class Library {
                            public static String name() { return "%s"; }
                        }
                        """.formatted(libraryValue),
                pluginPackage + ".TestPlugin", """
                        package %s;
                        public final class TestPlugin implements io.daxguard.spi.FilesystemPlugin {
                            public String type() { return com.example.shared.Library.name(); }
                            public int spiVersion() { return %d; }
                            public io.daxguard.spi.Holder attach(io.daxguard.spi.Mount mount,
                                    io.daxguard.spi.PluginContext context) throws java.io.IOException {
                                throw new java.io.IOException("a test plugin holds nothing");
                            }
                        }
                        """.formatted(pluginPackage, spiVersion));
    }
}
