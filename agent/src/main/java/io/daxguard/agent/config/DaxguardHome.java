package io.daxguard.agent.config;

import java.nio.file.Path;

/** Where relative paths of the configuration lead: the daxguard home. */
public final class DaxguardHome {
    private DaxguardHome() {
    }

    /** A path from the configuration: absolute as written, or relative to the daxguard home. */
    public static Path resolve(Path home, String configured) {
        Path path = Path.of(configured);
        return path.isAbsolute() ? path : home.resolve(path).normalize();
    }

    /**
     * The daxguard home: the {@code daxguard.home} system property (set by {@code bin/daxguard} and
     * {@code bin/daxguard-jsvc}), or the current directory.
     */
    public static Path home() {
        String home = System.getProperty("daxguard.home");
        return (home == null || home.isBlank() ? Path.of("") : Path.of(home)).toAbsolutePath().normalize();
    }
}
