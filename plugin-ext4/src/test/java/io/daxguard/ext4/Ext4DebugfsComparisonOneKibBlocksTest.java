package io.daxguard.ext4;

import io.daxguard.spi.testkit.ScratchFilesystem;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The comparison with 1 KiB blocks: block 0 is the boot block, the superblock is block 1, groups are small. */
class Ext4DebugfsComparisonOneKibBlocksTest extends Ext4DebugfsComparisonContract {
    @RegisterExtension
    static final ScratchFilesystem FILESYSTEM = ScratchFilesystem.ext4().sizeMiB(256).mkfsOptions("-b", "1024").build();

    @Override
    ScratchFilesystem filesystem() {
        return FILESYSTEM;
    }
}
