package io.daxguard.ext4;

import io.daxguard.testkit.FixedPluginContext;
import io.daxguard.spi.PluginContext;
import java.util.Map;

/** Every test of {@link Ext4HolderTest} again, with the index built by FIEMAP per file. */
class Ext4HolderWithFiemapIndexTest extends Ext4HolderTest {
    @Override
    String expectedReverseMap() {
        return "index:fiemap";
    }

    @Override
    PluginContext context() {
        return FixedPluginContext.withSettings("test", Map.of(Ext4Plugin.INDEX_SOURCE, Ext4Plugin.FIEMAP));
    }
}
