package io.daxguard.spi;

import java.io.IOException;

/**
 * A filesystem type daxguard can reverse-map. Implementations are listed in
 * {@code META-INF/services/io.daxguard.spi.FilesystemPlugin} and must have a public no-argument constructor.
 */
public interface FilesystemPlugin {

    /** The filesystem type as {@code /proc/self/mountinfo} names it, for example {@code "xfs"}. */
    String type();

    /**
     * The SPI version this plugin was compiled against: implement it as {@code return SpiVersion.CURRENT;}. The
     * compiler copies that constant into the plugin's own class, so the answer is the version the plugin was built
     * with, not the agent's. The agent refuses a plugin whose version differs, naming both.
     */
    int spiVersion();

    /**
     * Becomes the holder of one mounted filesystem.
     *
     * @throws AttachRefusedException when this filesystem cannot be served (a missing feature, missing
     *         privileges), with a reason an administrator can act on
     * @throws IOException when the filesystem could not be examined
     */
    Holder attach(Mount mount, PluginContext context) throws IOException;
}
