package io.daxguard.btrfs;

import static io.daxguard.btrfs.BtrfsFixtures.BLOCK;
import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.FailureRange;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.Holder;
import io.daxguard.spi.PluginContext;
import io.daxguard.spi.Redundancy;
import io.daxguard.testkit.Privileges;
import io.daxguard.testkit.ScratchFilesystem;
import io.daxguard.testkit.TwoDeviceBtrfs;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** btrfs data striped (raid0) over two loop devices: every 64 KiB element of a file is found on its own device. */
@Tag("mount")
class BtrfsRaid0Test {
    private static TwoDeviceBtrfs striped;
    private static ScratchFilesystem first;
    private static Holder holder;

    @BeforeAll
    static void attach() throws IOException {
        Privileges.requireRootLoopAnd("mkfs.btrfs", "btrfs", "btrfs-map-logical");
        first = ScratchFilesystem.of("btrfs").build();
        first.create();
        striped = new TwoDeviceBtrfs(first, first.mountPoint(), first.device()).create("raid0", 320L << 20);
        holder = new BtrfsPlugin().attach(BtrfsFixtures.mountOf(striped.mountPoint()),
                PluginContext.of(System.getLogger("test")));
    }

    @AfterAll
    static void detach() throws IOException {
        try {
            if (holder != null) {
                holder.close();
            }
        } finally {
            if (striped != null) {
                striped.close();
            } else if (first != null) {
                first.close();
            }
        }
    }

    @Test
    void everyStripeElementOfAFileIsOwnedAtItsFileOffsetWithOneCopy() throws IOException {
        Path file = BtrfsFixtures.writeCommitted(striped.path("striped"), 96); // six 64 KiB elements
        long inode = BtrfsFixtures.inodeOf(file);

        for (long offset = 3 * BLOCK; offset < 96 * BLOCK; offset += 16 * BLOCK) {
            BtrfsFixtures.Placement placement = BtrfsFixtures.placementsOf(BtrfsFixtures.logicalOf(file, offset),
                    striped.firstDevice()).get(0);
            long fileOffset = offset;
            assertThat(holder.notifyFailure(placement.deviceNumber(), FailureRange.of(placement.physical(), BLOCK)))
                    .singleElement().isInstanceOfSatisfying(FileOwner.class, owner -> {
                        assertThat(owner.inode()).isEqualTo(inode);
                        assertThat(owner.fileOffset()).isEqualTo(fileOffset);
                    });
            assertThat(holder.redundancy(placement.deviceNumber(), FailureRange.of(placement.physical(), BLOCK)))
                    .isEqualTo(new Redundancy("raid0", 1));
        }
    }
}
