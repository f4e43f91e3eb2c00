package io.daxguard.support.index;

import static io.daxguard.support.index.IncrementalRefreshAdversarialContract.extentsOf;
import static io.daxguard.support.index.IncrementalRefreshAdversarialContract.fileOwnerInodes;
import static io.daxguard.support.index.IncrementalRefreshAdversarialContract.inodeOf;
import static io.daxguard.support.index.LiveReverseMapContract.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.LinuxPath;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.Privileges;
import io.daxguard.testkit.ScratchFilesystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The held filesystem is unmounted from the map's root (its superblock stays mounted elsewhere, so its fanotify mark
 * stays), and files are then written into the now plain directory, which belongs to another filesystem: an everyday
 * mistake (an application writing into /data while the disk is not mounted). A proposal is rejected (its name leads
 * nowhere now), the refresh sees "another filesystem is mounted at" the root and falls back to a full build, which
 * walks the directory on the other filesystem: its files, with that filesystem's block addresses, become proposals
 * that confirm live (same inode, generation and FIEMAP there), so a block of the held device is answered with a file
 * of another device. Nothing compared the root's device with the held one. FINDING (fixed in fix14: HeldDevice).
 */
@Tag("mount")
class UnmountedRootAdversarialTest {
    @RegisterExtension
    static final ScratchFilesystem HELD = ScratchFilesystem.ext4().mkfsOptions("-b", "4096").build();
    @RegisterExtension
    static final ScratchFilesystem OTHER = ScratchFilesystem.ext4().mkfsOptions("-b", "4096").build();

    @BeforeAll
    static void requireRoot() {
        Privileges.requireRootLoopAnd("mount");
    }

    @Test
    void neverAnswersABlockOfTheHeldDeviceWithAFileOfAnotherFilesystem() throws Exception {
        Path held = write(HELD.path("held"), 1 << 20, 1);
        Path root = Files.createDirectory(OTHER.path("root"));
        Command.run("mount", "--bind", HELD.mountPoint().toString(), root.toString());
        boolean mounted = true;
        try (LiveReverseMap map = LiveReverseMap.start(LinuxPath.of(root), ExtraExtentSource.NONE,
                IncrementalRefreshAdversarialContract.LOGGER, p -> {
                })) {
            assertThat(map.awaitIndex(Duration.ofMinutes(5))).isTrue();
            FiemapExtent heldExtent = extentsOf(held).get(0);
            assertThat(fileOwnerInodes(map.ownersOfAllocated(heldExtent.physical(), heldExtent.physical() + 4096)))
                    .containsExactly(inodeOf(held));
            Command.run("umount", root.toString());
            mounted = false;
            Path stray = write(root.resolve("stray"), 4 << 20, 2);
            Command.run("sync");

            map.ownersOfAllocated(heldExtent.physical(), heldExtent.physical() + 4096); // rejected: refreshes
            FiemapExtent strayExtent = extentsOf(stray).get(0);
            List<Long> answered = fileOwnerInodes(map.ownersOfAllocated(strayExtent.physical(),
                    strayExtent.physical() + 4096));

            assertThat(answered).as("owners of a block of the held device; its files there (ground truth, FIEMAP): %s",
                    heldFilesAt(strayExtent.physical())).isSubsetOf(heldFilesAt(strayExtent.physical()));
        } finally {
            if (mounted) {
                Command.run("umount", root.toString());
            }
        }
    }

    /** The inodes of the held filesystem's files mapping the block at {@code physical} (FIEMAP of every file). */
    private static Set<Long> heldFilesAt(long physical) throws Exception {
        Set<Long> owners = new HashSet<>();
        try (Stream<Path> files = Files.walk(HELD.mountPoint())) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                for (FiemapExtent extent : extentsOf(file)) {
                    if (extent.physical() <= physical && physical < extent.physicalEnd()) {
                        owners.add(inodeOf(file));
                    }
                }
            }
        }
        return owners;
    }
}
