package io.daxguard.support.linux;

import io.daxguard.testkit.ScratchFilesystem;
import org.junit.jupiter.api.extension.RegisterExtension;

class FileHandleOnExt4Test extends FileHandleContract {
    @RegisterExtension
    static final ScratchFilesystem FILESYSTEM = ScratchFilesystem.ext4().build();

    @Override
    ScratchFilesystem filesystem() {
        return FILESYSTEM;
    }

    @Override
    InodeHandles expectedKind() {
        return InodeHandles.INO32_GEN;
    }
}
