package io.daxguard.support.index;

import io.daxguard.testkit.Command;
import io.daxguard.testkit.ScratchFilesystem;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link IncrementalRefreshAdversarialContract} on XFS without rmapbt (indexed), reflink off as in the contract's. */
class IncrementalRefreshOnXfsWithoutRmapAdversarialTest extends IncrementalRefreshAdversarialContract {
    @RegisterExtension
    static final ScratchFilesystem FILESYSTEM = ScratchFilesystem.of("xfs").mkfsOptions("-m", "rmapbt=0,reflink=0")
            .build();

    @Override
    void defragment(Path file) throws java.io.IOException {
        Command.run("xfs_fsr", "-v", file.toString());
    }

    @Override
    ScratchFilesystem filesystem() {
        return FILESYSTEM;
    }
}
