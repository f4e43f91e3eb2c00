package io.daxguard.support.index;

import io.daxguard.testkit.ScratchFilesystem;
import org.junit.jupiter.api.extension.RegisterExtension;

class ConfirmationByHandleOnExt4Test extends ConfirmationByHandleContract {
    @RegisterExtension
    static final ScratchFilesystem FILESYSTEM = ScratchFilesystem.ext4().mkfsOptions("-b", "4096").build();

    @Override
    ScratchFilesystem filesystem() {
        return FILESYSTEM;
    }
}
