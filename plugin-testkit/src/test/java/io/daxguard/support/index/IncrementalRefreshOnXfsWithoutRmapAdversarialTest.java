package io.daxguard.support.index;

import io.daxguard.testkit.ScratchFilesystem;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link IncrementalRefreshAdversarialContract} on XFS without rmapbt (indexed), reflink off as in the contract's. */
class IncrementalRefreshOnXfsWithoutRmapAdversarialTest extends IncrementalRefreshAdversarialContract {
    @RegisterExtension
    static final ScratchFilesystem FILESYSTEM = ScratchFilesystem.of("xfs").mkfsOptions("-m", "rmapbt=0,reflink=0")
            .build();

    @Override
    ScratchFilesystem filesystem() {
        return FILESYSTEM;
    }
}
