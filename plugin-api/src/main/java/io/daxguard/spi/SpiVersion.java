package io.daxguard.spi;

/** The version of this SPI. A plugin declares the version it was built against; the agent refuses others. */
public final class SpiVersion {
    /**
     * Bumped on every incompatible change of {@code io.daxguard.spi} (the build compares the SPI with the last
     * released one, {@code plugin-api/baseline/}, and fails on an incompatible change unless this is bumped).
     * 2: names are bytes ({@link LinuxPath}) in {@link Mount#mountPoint()}, {@link PathNames}, the index and the
     * native wrappers. 3: the SPI alone, on the JDK alone (the native wrappers and the index moved to the support
     * library, {@code io.daxguard.support}); {@link PluginContext#metrics()} is a {@link PluginMetrics};
     * {@link FilesystemPlugin#spiVersion()} has no default.
     */
    public static final int CURRENT = 3;

    private SpiVersion() {
    }
}
