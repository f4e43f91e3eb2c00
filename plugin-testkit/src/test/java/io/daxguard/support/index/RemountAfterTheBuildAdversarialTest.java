package io.daxguard.support.index;

import static io.daxguard.support.index.IncrementalRefreshAdversarialContract.extentsOf;
import static io.daxguard.support.index.IncrementalRefreshAdversarialContract.fileOwnerInodes;
import static io.daxguard.support.index.IncrementalRefreshAdversarialContract.inodeOf;
import static io.daxguard.support.index.LiveReverseMapContract.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.Privileges;
import io.daxguard.testkit.ScratchFilesystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The held filesystem is unmounted and mounted again at the same root after the build (a maintenance remount, a
 * reboot of a service's mount unit). The superblock is destroyed at the unmount, and with it the fanotify mark on it
 * (FAN_MARK_FILESYSTEM): the new superblock has none, so no change made after the remount is ever counted. The root is
 * on the held device again, so no build is refused. Ground truth: FIEMAP of the files written after the remount.
 */
@Tag("mount")
class RemountAfterTheBuildAdversarialTest {
    @RegisterExtension
    static final ScratchFilesystem EXT4 = ScratchFilesystem.ext4().mkfsOptions("-b", "4096").build();

    private static int directories;
    private LiveReverseMap map;

    @BeforeAll
    static void requireTools() {
        Privileges.requireRootLoopAnd("mount", "umount");
    }

    @AfterEach
    void closeMap() throws Exception {
        if (map != null) {
            map.close();
        }
    }

    private Path buildThenRemount() throws Exception {
        Path directory = Files.createDirectory(EXT4.path("remounted-" + (++directories)));
        write(directory.resolve("before"), 65536, 101);
        Command.run("sync");
        map = LiveReverseMap.start(EXT4.mountPointBytes(), ExtraExtentSource.NONE,
                IncrementalRefreshAdversarialContract.LOGGER, p -> {
                });
        assertThat(map.awaitIndex(Duration.ofMinutes(5))).isTrue();
        Command.run("umount", EXT4.mountPoint().toString());
        Command.run("mount", "-t", "ext4", EXT4.device().toString(), EXT4.mountPoint().toString());
        return directory;
    }

    /** FINDING if it fails (HIGH, missing owner): a file written after the remount is never found. */
    @Test
    void findsAFileWrittenAfterTheFilesystemWasMountedAgainAtTheRoot() throws Exception {
        Path directory = buildThenRemount();
        Path late = write(directory.resolve("late"), 65536, 102);
        FiemapExtent placed = extentsOf(late).get(0);

        assertThat(fileOwnerInodes(map.ownersOfAllocated(placed.physical(), placed.physical() + 4096)))
                .containsExactly(inodeOf(late));
    }

    /** As above, with a first question asked between the remount and the write (the new mount table seen first). */
    @Test
    void findsAFileWrittenAfterAQuestionAskedOnTheRemountedFilesystem() throws Exception {
        Path directory = buildThenRemount();
        FiemapExtent before = extentsOf(directory.resolve("before")).get(0);
        assertThat(fileOwnerInodes(map.ownersOfAllocated(before.physical(), before.physical() + 4096)))
                .containsExactly(inodeOf(directory.resolve("before")));
        Path late = write(directory.resolve("late"), 65536, 103);
        FiemapExtent placed = extentsOf(late).get(0);

        assertThat(fileOwnerInodes(map.ownersOfAllocated(placed.physical(), placed.physical() + 4096)))
                .containsExactly(inodeOf(late));
    }

    /**
     * FINDING (missing owner): the filesystem re-made (mkfs) on the same device and mounted at the root again: the
     * device number is the held one, so builds are not refused, and nothing is counted on the new superblock.
     */
    @Test
    void findsAFileOfAFilesystemMadeAgainOnTheSameDevice() throws Exception {
        buildThenRemount();
        Command.run("umount", EXT4.mountPoint().toString());
        Command.run("mkfs.ext4", "-q", "-F", "-b", "4096", EXT4.device().toString());
        Command.run("mount", "-t", "ext4", EXT4.device().toString(), EXT4.mountPoint().toString());
        Path late = write(EXT4.path("late-on-a-new-filesystem"), 8 << 20, 104);
        java.util.List<FiemapExtent> extents = extentsOf(late);
        FiemapExtent last = extents.get(extents.size() - 1);
        long physical = last.physicalEnd() - 4096; // far from what the old index proposes: no rejection rebuilds

        assertThat(fileOwnerInodes(map.ownersOfAllocated(physical, physical + 4096)))
                .containsExactly(inodeOf(late));
    }
}
