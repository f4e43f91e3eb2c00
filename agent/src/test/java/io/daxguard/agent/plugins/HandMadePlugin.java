package io.daxguard.agent.plugins;

import io.daxguard.spi.FilesystemPlugin;
import io.daxguard.spi.Holder;
import io.daxguard.spi.Mount;
import io.daxguard.spi.PluginContext;
import io.daxguard.spi.SpiVersion;
import java.util.function.Function;

/** A plugin for tests: serves {@code type} with the holder {@code attach} makes of each mount. */
public record HandMadePlugin(String type, Function<Mount, Holder> attach) implements FilesystemPlugin {
    /** A plugin that hands out {@code holder} for every mount of {@code type}. */
    public static HandMadePlugin serving(String type, Holder holder) {
        return new HandMadePlugin(type, mount -> holder);
    }

    @Override
    public int spiVersion() {
        return SpiVersion.CURRENT;
    }

    @Override
    public Holder attach(Mount mount, PluginContext context) {
        return attach.apply(mount);
    }
}
