package io.daxguard.support.linux;

import io.daxguard.testkit.ScratchFilesystem;
import org.junit.jupiter.api.extension.RegisterExtension;

/** XFS mounted with its default {@code inode64}: 64-bit inode handles. */
class FileHandleOnXfsTest extends FileHandleContract {
    @RegisterExtension
    static final ScratchFilesystem FILESYSTEM = ScratchFilesystem.xfs().build();

    @Override
    ScratchFilesystem filesystem() {
        return FILESYSTEM;
    }

    @Override
    InodeHandles expectedKind() {
        return InodeHandles.XFS_INO64_GEN;
    }
}
