package io.daxguard.agent.jmx;

/**
 * A loaded plugin.
 *
 * @param type        the filesystem type it serves
 * @param className   its FilesystemPlugin class
 * @param spiVersion  the SPI version it was built for
 */
public record PluginView(String type, String className, int spiVersion) {
}
