package io.daxguard.spi;

/** The version of this SPI. A plugin declares the version it was built against; the agent refuses others. */
public final class SpiVersion {
    /** Bumped on every incompatible change of {@code io.daxguard.spi}. */
    public static final int CURRENT = 1;

    private SpiVersion() {
    }
}
