package io.daxguard.ext4;

import io.daxguard.testkit.ScratchFilesystem;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The comparison with inline_data: small files and directories live in their inodes. */
class Ext4DebugfsComparisonInlineDataTest extends Ext4DebugfsComparisonContract {
    @RegisterExtension
    static final ScratchFilesystem FILESYSTEM = ScratchFilesystem.ext4().sizeMiB(256)
            .mkfsOptions("-b", "4096", "-O", "inline_data").build();

    @Override
    ScratchFilesystem filesystem() {
        return FILESYSTEM;
    }
}
