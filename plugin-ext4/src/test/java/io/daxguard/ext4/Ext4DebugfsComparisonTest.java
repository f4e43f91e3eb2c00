package io.daxguard.ext4;

import io.daxguard.testkit.ScratchFilesystem;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The comparison on mkfs.ext4 defaults with 4 KiB blocks (64-bit, metadata_csum, flex_bg). */
class Ext4DebugfsComparisonTest extends Ext4DebugfsComparisonContract {
    @RegisterExtension
    static final ScratchFilesystem FILESYSTEM = ScratchFilesystem.ext4().sizeMiB(256).mkfsOptions("-b", "4096").build();

    @Override
    ScratchFilesystem filesystem() {
        return FILESYSTEM;
    }
}
