package io.daxguard.xfs;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.FailureRange;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.Holder;
import io.daxguard.spi.Owner;
import io.daxguard.spi.PluginContext;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.testkit.BlocksSwappedWhileOpen;
import io.daxguard.testkit.Privileges;
import io.daxguard.testkit.ScratchFilesystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Through the XFS plugin on XFS without rmapbt and without reflink (indexed, answers remembered): XFS_IOC_SWAPEXT, what
 * xfs_fsr calls, swaps the blocks of two files and sends no fanotify event until the writable descriptors close. A
 * failure reported in that window right after a build must be answered with the file that maps the blocks now (the
 * reverted vouching answered from the build). Descriptors held open by {@link BlocksSwappedWhileOpen}. Ground truth
 * FIEMAP.
 */
@Tag("mount")
class XfsIndexedSwapExtentsAdversarialTest {
    @RegisterExtension
    static final ScratchFilesystem XFS = ScratchFilesystem.xfs().mkfsOptions("-m", "rmapbt=0,reflink=0").build();

    private BlocksSwappedWhileOpen swapper;

    @AfterEach
    void endTheSwapper() throws Exception {
        if (swapper != null) {
            swapper.close();
        }
    }

    /** FINDING against vouching (HIGH, wrong owner; fixed by reverting it). */
    @Test
    void reportsTheFileThatMapsTheBlocksWhileASwapExtentsDescriptorIsOpenRightAfterTheBuild() throws Exception {
        Privileges.requireRootLoopAnd("python3");
        Path target = XfsFixtures.writeSynced(XFS.path("target"), 16);
        Path temporary = XfsFixtures.writeSynced(XFS.path("temporary"), 16);
        FiemapExtent targetBefore = XfsFixtures.dataExtents(target).get(0);
        FiemapExtent temporaryBefore = XfsFixtures.dataExtents(temporary).get(0);
        try (Holder holder = new XfsPlugin().attach(XfsFixtures.mountOf(XFS),
                PluginContext.of(System.getLogger("test")))) {
            assertThat(holder.awaitReverseMap(Duration.ofMinutes(2))).as("index built").isTrue();

            swapper = BlocksSwappedWhileOpen.xfsSwapExtents(target, temporary);
            assertThat(swapper.said()).as("precondition: XFS_IOC_SWAPEXT succeeded").isEqualTo("swapped");
            assertThat(XfsFixtures.dataExtents(target).get(0).physical()).as("precondition: swapped")
                    .isEqualTo(temporaryBefore.physical());

            assertThat(inodes(holder.notifyFailure(FailureRange.of(targetBefore.physical(), XfsFixtures.BLOCK))))
                    .containsExactly(inode(temporary));
            assertThat(inodes(holder.notifyFailure(FailureRange.of(temporaryBefore.physical(), XfsFixtures.BLOCK))))
                    .containsExactly(inode(target));
        }
    }

    private static long inode(Path file) throws Exception {
        return (Long) Files.getAttribute(file, "unix:ino");
    }

    private static List<Long> inodes(List<Owner> owners) {
        return owners.stream().filter(FileOwner.class::isInstance).map(o -> ((FileOwner) o).inode()).toList();
    }
}
