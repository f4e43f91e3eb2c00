package io.daxguard.support.index;

import io.daxguard.testkit.Command;
import io.daxguard.testkit.ScratchFilesystem;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link ChangesRightAfterABuildAdversarialContract} on XFS without rmapbt (indexed), reflink on: copy_file_range
 * clones there, and FICLONERANGE and a read-write FIDEDUPERANGE (both send FAN_MODIFY) are added.
 */
class ChangesRightAfterABuildOnXfsAdversarialTest extends ChangesRightAfterABuildAdversarialContract {
    @RegisterExtension
    static final ScratchFilesystem XFS = ScratchFilesystem.xfs().mkfsOptions("-m", "rmapbt=0,reflink=1").build();

    @Override
    ScratchFilesystem filesystem() {
        return XFS;
    }

    @Test
    void cloneRangeOverAnotherFile() throws Exception {
        var destination = directory.resolve("destination");
        var before = IncrementalRefreshAdversarialContract.extentsOf(destination);
        Command.run("xfs_io", "-c", "reflink " + file + " 0 0 262144", destination.toString());
        answeredAsFiemapSays(destination, before);
        answeredAsFiemapSays(file, List.of());
    }

    @Test
    void dedupeThroughAWritableDescriptor() throws Exception {
        var copy = directory.resolve("copy");
        java.nio.file.Files.copy(file, copy);
        Command.run("sync");
        var before = IncrementalRefreshAdversarialContract.extentsOf(copy);
        Command.run("xfs_io", "-c", "dedupe " + file + " 0 0 262144", copy.toString());
        answeredAsFiemapSays(copy, before);
        answeredAsFiemapSays(file, List.of());
    }
}
