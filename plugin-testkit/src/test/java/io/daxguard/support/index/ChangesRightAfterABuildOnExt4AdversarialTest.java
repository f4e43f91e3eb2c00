package io.daxguard.support.index;

import io.daxguard.testkit.ScratchFilesystem;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link ChangesRightAfterABuildAdversarialContract} on ext4 (4 KiB blocks). */
class ChangesRightAfterABuildOnExt4AdversarialTest extends ChangesRightAfterABuildAdversarialContract {
    @RegisterExtension
    static final ScratchFilesystem EXT4 = ScratchFilesystem.ext4().mkfsOptions("-b", "4096").build();

    @Override
    ScratchFilesystem filesystem() {
        return EXT4;
    }
}
