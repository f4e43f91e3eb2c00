package io.daxguard.support.index;

import io.daxguard.testkit.ScratchFilesystem;
import org.junit.jupiter.api.extension.RegisterExtension;

class ConfirmationByHandleOnXfsWithoutRmapTest extends ConfirmationByHandleContract {
    @RegisterExtension
    static final ScratchFilesystem FILESYSTEM = ScratchFilesystem.of("xfs").mkfsOptions("-m", "rmapbt=0,reflink=0")
            .build();

    @Override
    ScratchFilesystem filesystem() {
        return FILESYSTEM;
    }
}
