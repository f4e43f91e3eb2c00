package io.daxguard.spi;

/** The version of this SPI. A plugin declares the version it was built against; the agent refuses others. */
public final class SpiVersion {
    /**
     * Bumped on every incompatible change of {@code io.daxguard.spi}. 2: names are bytes ({@link LinuxPath}) in
     * {@link Mount#mountPoint()}, {@link PathNames}, the index and the native wrappers.
     */
    public static final int CURRENT = 2;

    private SpiVersion() {
    }
}
