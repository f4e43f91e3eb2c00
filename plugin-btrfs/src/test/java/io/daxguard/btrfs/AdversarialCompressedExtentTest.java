package io.daxguard.btrfs;

import static io.daxguard.btrfs.BtrfsFixtures.BLOCK;
import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.FailureRange;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.Holder;
import io.daxguard.spi.PluginContext;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.Privileges;
import io.daxguard.testkit.ScratchFilesystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Adversarial review (issue 16, adv16). Promise (docs/PLUGINS.md step 4.4): "each file's extent item gives the file
 * offset of the failed byte (compressed extents: the whole file range they hold)". One bad block of a zlib extent
 * makes all 128 KiB of file it decompresses to unreadable (reading any of it fails with EIO), but the owner says
 * {@code fileOffset 0, length 4096}: the agent records, shows and recovers file bytes 0..4095 only (a restore or
 * rewrite of that range leaves bytes 4096..131071 unreadable). The SPI's FileOwner has one length, the physical one,
 * so it cannot say more: an SPI gap as much as a plugin one. FAILS on main at 21dd1af.
 */
@Tag("mount")
class AdversarialCompressedExtentTest {
    private static final long FILE_BYTES = 128 * 1024;

    @Test
    void theOwnersOfOneBadBlockOfACompressedExtentNameEveryFileByteItMakesUnreadable() throws Exception {
        Privileges.requireRootLoopAnd("mkfs.btrfs", "btrfs", "btrfs-map-logical");
        try (ScratchFilesystem fs = ScratchFilesystem.of("btrfs").create();
             Holder holder = new BtrfsPlugin().attach(BtrfsFixtures.mountOf(fs.mountPoint()),
                     PluginContext.of(System.getLogger("test")))) {
            Path directory = Files.createDirectory(fs.path("compressed"));
            Command.run("btrfs", "property", "set", directory.toString(), "compression", "zlib");
            Path file = directory.resolve("text");
            Files.writeString(file, "daxguard reads btrfs's trees. ".repeat((int) (FILE_BYTES / 30) + 1));
            Command.run("truncate", "-s", Long.toString(FILE_BYTES), file.toString());
            Command.run("sync", file.toString());
            BtrfsFixtures.commit(fs.mountPoint());
            long physical = BtrfsFixtures.placementsOf(BtrfsFixtures.logicalOf(file, 0), fs.device()).get(0).physical();
            long inode = BtrfsFixtures.inodeOf(file);

            List<FileOwner> owners = holder.notifyFailure(fs.deviceNumber(), FailureRange.of(physical, BLOCK)).stream()
                    .filter(FileOwner.class::isInstance).map(FileOwner.class::cast)
                    .filter(owner -> owner.inode() == inode).toList();

            long lastFileByteNamed = owners.stream().mapToLong(owner -> owner.fileOffset() + owner.length())
                    .max().orElse(0);
            assertThat(lastFileByteNamed).as("end of the file bytes the owners of one bad compressed block name: %s",
                    owners).isEqualTo(FILE_BYTES);
        }
    }
}
