package io.daxguard.ext4;

import static io.daxguard.ext4.Ext4Files.BLOCK;
import static io.daxguard.ext4.Ext4Files.extentsOf;
import static io.daxguard.ext4.Ext4Files.fileOwnerInodes;
import static io.daxguard.ext4.Ext4Files.inodeOf;
import static io.daxguard.ext4.Ext4Files.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.FailureRange;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.testkit.BlocksSwappedWhileOpen;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.Privileges;
import io.daxguard.testkit.ScratchFilesystem;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Through the plugin (inode-scanner build): EXT4_IOC_MOVE_EXT, what e4defrag calls, swaps two files' blocks and is
 * reported only when its writable descriptors close: while they are open, a failure in either file's old blocks must be
 * reported against the file that maps them now (vouching, reverted, reported the file that left them). Ground truth:
 * FIEMAP (debugfs icheck agrees). The descriptors are held open by {@link BlocksSwappedWhileOpen}.
 */
@Tag("mount")
class Ext4MoveExtentsAdversarialTest {
    @RegisterExtension
    static final ScratchFilesystem FILESYSTEM = ScratchFilesystem.ext4().mkfsOptions("-b", "4096").build();

    private Ext4Holder holder;
    private BlocksSwappedWhileOpen mover;

    @BeforeAll
    static void requireTools() {
        Privileges.requireRootLoopAnd("python3");
    }

    @AfterEach
    void closeEverything() throws Exception {
        if (mover != null) {
            mover.close();
        }
        if (holder != null) {
            holder.close();
        }
    }

    /** FINDING against vouching (HIGH, wrong owner; fixed by reverting it and a full build on a rejection no event explains). */
    @Test
    void reportsTheFileThatMapsTheBlocksWhileAMoveExtentsDescriptorIsOpenRightAfterTheBuild() throws Exception {
        Path directory = Files.createDirectory(FILESYSTEM.path("moved"));
        Path original = write(directory.resolve("original"), 0, 16 * BLOCK, 91);
        Path donor = write(directory.resolve("donor"), 0, 16 * BLOCK, 92);
        Command.run("sync");
        FiemapExtent originalBefore = extentsOf(original).get(0);
        FiemapExtent donorBefore = extentsOf(donor).get(0);
        holder = Ext4Files.attached(FILESYSTEM);

        mover = BlocksSwappedWhileOpen.ext4MoveExtents(original, donor, 16);
        assertThat(mover.said()).as("precondition: EXT4_IOC_MOVE_EXT moved every block").isEqualTo("moved 16");
        assertThat(extentsOf(original).get(0).physical()).as("precondition: the original is on the donor's blocks")
                .isEqualTo(donorBefore.physical());

        assertThat(fileOwnerInodes(holder.notifyFailure(FailureRange.of(originalBefore.physical(), BLOCK))))
                .containsExactly(inodeOf(donor));
        assertThat(fileOwnerInodes(holder.notifyFailure(FailureRange.of(donorBefore.physical(), BLOCK))))
                .containsExactly(inodeOf(original));
    }
}
