package io.daxguard.ext4;

import io.daxguard.testkit.ScratchFilesystem;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The comparison without 64bit, metadata_csum or flex_bg: 32-byte group descriptors, no unused-inode counts
 * (every inode of every group is read), bitmaps and inode tables inside each group.
 */
class Ext4DebugfsComparisonClassicLayoutTest extends Ext4DebugfsComparisonContract {
    @RegisterExtension
    static final ScratchFilesystem FILESYSTEM = ScratchFilesystem.ext4().sizeMiB(256)
            .mkfsOptions("-b", "4096", "-O", "^64bit,^metadata_csum,^flex_bg,^uninit_bg").build();

    @Override
    ScratchFilesystem filesystem() {
        return FILESYSTEM;
    }
}
