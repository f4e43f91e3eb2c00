package io.daxguard.agent.plugins;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Objects;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * One {@code plugins/<name>/} directory: its jars, checked before any class is loaded from them, so a broken
 * jar is refused with its name instead of surfacing later as a missing class.
 *
 * @param name  the directory's name, which names the plugin in messages
 * @param jars  the jars in it, sorted by name
 */
record PluginDirectory(String name, List<Path> jars) {
    /** A jar's manifest may declare the SPI version it was built against, checked before loading any class. */
    static final Attributes.Name SPI_VERSION = new Attributes.Name("Daxguard-SPI-Version");

    PluginDirectory {
        Objects.requireNonNull(name, "name is null");
        jars = List.copyOf(jars);
    }

    /** The plugin directories under {@code root}, by name; none when {@code root} does not exist. */
    static List<PluginDirectory> under(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        List<PluginDirectory> found = new ArrayList<>();
        try (Stream<Path> children = Files.list(root)) {
            for (Path child : children.filter(Files::isDirectory).sorted().toList()) {
                try (Stream<Path> files = Files.list(child)) {
                    found.add(new PluginDirectory(child.getFileName().toString(),
                            files.filter(file -> file.getFileName().toString().endsWith(".jar")).sorted().toList()));
                }
            }
        }
        return found;
    }

    /**
     * Opens every jar and reads every entry, so truncated or corrupt jars are found now.
     *
     * @throws IOException naming the broken jar
     */
    void checkJarsReadable() throws IOException {
        if (jars.isEmpty()) {
            throw new IOException("no .jar file in it");
        }
        for (Path jar : jars) {
            try (JarFile file = new JarFile(jar.toFile(), true)) {
                Enumeration<JarEntry> entries = file.entries();
                byte[] buffer = new byte[8192];
                while (entries.hasMoreElements()) {
                    try (var in = file.getInputStream(entries.nextElement())) {
                        while (in.read(buffer) >= 0) {
                            // Reading the entry checks its CRC.
                        }
                    }
                }
            } catch (IOException | SecurityException broken) {
                throw new IOException("jar " + jar.getFileName() + " is broken: " + broken.getMessage(), broken);
            }
        }
    }

    /** SPI versions declared in the jars' manifests ({@code Daxguard-SPI-Version}), if any. */
    List<Integer> declaredSpiVersions() throws IOException {
        List<Integer> versions = new ArrayList<>();
        for (Path jar : jars) {
            try (JarFile file = new JarFile(jar.toFile())) {
                var manifest = file.getManifest();
                String declared = manifest == null ? null : manifest.getMainAttributes().getValue(SPI_VERSION);
                if (declared != null) {
                    try {
                        versions.add(Integer.parseInt(declared.trim()));
                    } catch (NumberFormatException notANumber) {
                        throw new IOException("jar " + jar.getFileName() + " declares " + SPI_VERSION + " \""
                                + declared + "\", not a number");
                    }
                }
            }
        }
        return versions;
    }

    URL[] urls() {
        URL[] urls = new URL[jars.size()];
        for (int i = 0; i < urls.length; i++) {
            try {
                urls[i] = jars.get(i).toUri().toURL();
            } catch (MalformedURLException cannotHappen) {
                throw new IllegalStateException(cannotHappen);
            }
        }
        return urls;
    }
}
