package io.daxguard.ext4;

import io.daxguard.testkit.OpenDescriptors;
import static io.daxguard.ext4.Ext4Files.BLOCK;
import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.FailureRange;
import io.daxguard.spi.Holder;
import io.daxguard.spi.ReverseMapStatus;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.testkit.ScratchFilesystem;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What the agent reads through the generic SPI: index status, waiting for the index, the e2fsck bad-block list. */
@Tag("mount")
class Ext4HolderSpiTest {
    @RegisterExtension
    static final ScratchFilesystem FILESYSTEM = ScratchFilesystem.ext4().mkfsOptions("-b", "4096").build();

    private static Holder holder;

    @BeforeAll
    static void attach() throws Exception {
        Ext4Files.write(FILESYSTEM.path("data.bin"), 0, 8 * BLOCK, 1);
        holder = new Ext4Plugin().attach(Ext4Files.mountOf(FILESYSTEM),
                io.daxguard.spi.PluginContext.of(System.getLogger("test")));
    }

    @AfterAll
    static void close() throws Exception {
        if (holder != null) {
            holder.close();
        }
    }

    @Test
    void awaitingTheReverseMapLeavesItReadyWithTheFilesIndexed() throws Exception {
        assertThat(holder.awaitReverseMap(Duration.ofMinutes(2))).isTrue();

        assertThat(holder.reverseMapStatus()).hasValueSatisfying(status -> {
            assertThat(status.state()).isIn(ReverseMapStatus.State.READY, ReverseMapStatus.State.REBUILDING);
            assertThat(status.files()).isGreaterThanOrEqualTo(2); // the root directory and data.bin at least
            assertThat(status.describe()).startsWith(status.state() == ReverseMapStatus.State.READY ? "ready: "
                    : "rebuilding");
        });
    }

    @Test
    void theOfflineBadBlockListNamesTheFilesystemBlocksOfTheDamage() throws Exception {
        FiemapExtent extent = Ext4Files.extentsOf(FILESYSTEM.path("data.bin")).get(0);
        long third = extent.physical() / BLOCK + 2;

        String list = holder.offlineBadBlockList(List.of(FailureRange.of(third * BLOCK + 512, BLOCK))).orElseThrow();

        assertThat(list).isEqualTo(third + "\n" + (third + 1) + "\n");
    }

    @Test
    void keepsNoDescriptorOnTheMountPointSoTheAdministratorCanUnmount() throws Exception {
        holder.awaitReverseMap(Duration.ofMinutes(2));
        FiemapExtent extent = Ext4Files.extentsOf(FILESYSTEM.path("data.bin")).get(0);
        // Only the file's block: a range with blocks no file explains starts a rebuild, and a build walks the tree
        // with directories open for as long as it runs (that is the build, not the holder keeping a descriptor).
        holder.notifyFailure(FailureRange.of(extent.physical(), BLOCK));

        assertThat(OpenDescriptors.targets()).doesNotContain(FILESYSTEM.mountPoint().toString());
    }

}
