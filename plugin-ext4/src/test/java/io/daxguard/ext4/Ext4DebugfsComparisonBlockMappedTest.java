package io.daxguard.ext4;

import io.daxguard.testkit.ScratchFilesystem;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The comparison without extents: every file is block-mapped (ext2/ext3 style, indirect blocks). */
class Ext4DebugfsComparisonBlockMappedTest extends Ext4DebugfsComparisonContract {
    @RegisterExtension
    static final ScratchFilesystem FILESYSTEM = ScratchFilesystem.ext4().sizeMiB(256)
            .mkfsOptions("-b", "4096", "-O", "^extent,^64bit").build();

    @Override
    boolean supportsPreallocation() {
        return false;
    }

    @Override
    ScratchFilesystem filesystem() {
        return FILESYSTEM;
    }
}
