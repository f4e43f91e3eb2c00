package io.daxguard.btrfs;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.Holder;
import io.daxguard.spi.PluginContext;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.Privileges;
import io.daxguard.testkit.ScratchFilesystem;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Adversarial review (issue 16, adv16). Promise (docs/PLUGINS.md step 4): "File identity is (filesystem UUID,
 * subvolume, inode, generation)"; the agent keys its ledger by the filesystem's UUID (damage of a filesystem that is
 * gone, FILESYSTEM_GONE, is told by it). Since Linux 6.7 a single-device btrfs cloned block for block (dd, an LVM or
 * SAN snapshot, a VM image copy) mounts beside its original with a temporary fsid ({@code temp_fsid}): a random one,
 * new at each mount. The holder reads its UUID from {@code BTRFS_IOC_FS_INFO}, which answers that temporary fsid, not
 * the UUID on the disk: the clone's damage is recorded under an identity that no later mount has (gone after a
 * remount), and it does not match what blkid and btrfs filesystem show say. Which of the two gets the temporary fsid
 * depends on which is mounted second. FAILS on main at 21dd1af if the kernel mounts the clone with temp_fsid.
 */
@Tag("mount")
class AdversarialClonedBtrfsTest {

    @Test
    void aCloneMountedBesideItsOriginalIsHeldUnderTheUuidOnItsDisk() throws Exception {
        Privileges.requireRootLoopAnd("mkfs.btrfs", "btrfs", "blkid");
        try (ScratchFilesystem original = ScratchFilesystem.of("btrfs").create();
             ScratchFilesystem clone = ScratchFilesystem.of("btrfs").create()) {
            String diskUuid = Command.run("blkid", "-s", "UUID", "-o", "value", original.device().toString()).strip();
            Path cloneMount = clone.mountPoint();
            Command.run("umount", cloneMount.toString());
            Command.run("btrfs", "device", "scan", "--forget", clone.device().toString());
            Command.run("dd", "if=" + original.device(), "of=" + clone.device(), "bs=1M", "status=none",
                    "conv=fsync");
            Command.run("mount", clone.device().toString(), cloneMount.toString());
            assertThat(Command.run("blkid", "-s", "UUID", "-o", "value", clone.device().toString()).strip())
                    .isEqualTo(diskUuid);
            Files.writeString(cloneMount.resolve("written-on-the-clone"), "x");

            try (Holder holder = new BtrfsPlugin().attach(BtrfsFixtures.mountOf(cloneMount),
                    PluginContext.of(System.getLogger("test")))) {
                assertThat(holder.info().uuid()).as("the UUID the clone is held under (on its disk: %s)", diskUuid)
                        .isEqualTo(diskUuid);
            }
        }
    }
}
