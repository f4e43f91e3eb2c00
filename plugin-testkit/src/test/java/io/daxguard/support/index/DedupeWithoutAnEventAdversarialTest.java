package io.daxguard.support.index;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.Privileges;
import io.daxguard.testkit.ScratchFilesystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * FIDEDUPERANGE through a read-only descriptor (as deduplicators such as duperemove open files; allowed to the owner
 * or root since Linux 4.19) sends no fanotify event at all: the destination file moves onto the source's blocks, both
 * become shared, and the destination's old blocks are freed. An incremental refresh for an unrelated change maps only
 * the files fanotify named, so the index keeps the destination at its freed blocks, and the shared blocks are
 * answered with the source alone: "reflinked (shared) blocks name every sharer" and "a file that moved blocks is found
 * at its new blocks" fail. XFS without rmapbt (indexed), reflink on.
 */
@Tag("mount")
class DedupeWithoutAnEventAdversarialTest {
    @RegisterExtension
    static final ScratchFilesystem XFS = ScratchFilesystem.xfs().mkfsOptions("-m", "rmapbt=0,reflink=1").build();

    @BeforeAll
    static void requireTools() {
        Privileges.requireRootLoopAnd("xfs_io");
    }

    /** FINDING (fixed in fix14). */
    @Test
    void namesBothSharersOfDedupedBlocksAfterAnIncrementalRefresh() throws Exception {
        namesBothSharersOfDedupedBlocksAfterARefreshFor(false);
    }

    /** The control: the same dedupe, then a change that needs a full build (a directory made). (Passes.) */
    @Test
    void namesBothSharersOfDedupedBlocksAfterAFullRebuild() throws Exception {
        namesBothSharersOfDedupedBlocksAfterARefreshFor(true);
    }

    private static int directories;

    private void namesBothSharersOfDedupedBlocksAfterARefreshFor(boolean full) throws Exception {
        Path directory = Files.createDirectory(XFS.path("dedupe-" + (++directories)));
        Path source = LiveReverseMapContract.write(directory.resolve("source"), 65536, 51);
        Path destination = directory.resolve("destination");
        Files.copy(source, destination); // a copy of the bytes, not a clone
        Command.run("sync");
        assertThat(IncrementalRefreshAdversarialContract.extentsOf(destination).get(0).physical())
                .as("precondition: the copy has blocks of its own")
                .isNotEqualTo(IncrementalRefreshAdversarialContract.extentsOf(source).get(0).physical());
        try (LiveReverseMap map = LiveReverseMap.start(XFS.mountPointBytes(), ExtraExtentSource.NONE,
                IncrementalRefreshAdversarialContract.LOGGER, p -> {
                })) {
            assertThat(map.awaitIndex(Duration.ofMinutes(5))).isTrue();
            Command.run("xfs_io", "-r", "-c", "dedupe " + source + " 0 0 65536", destination.toString());
            FiemapExtent shared = IncrementalRefreshAdversarialContract.extentsOf(destination).get(0);
            assertThat(shared.physical()).as("precondition: deduped onto the source's blocks (ground truth)")
                    .isEqualTo(IncrementalRefreshAdversarialContract.extentsOf(source).get(0).physical());
            Path later = LiveReverseMapContract.write((full ? Files.createDirectory(directory.resolve(
                    "made")) : directory).resolve("later"), 8192, 52);

            assertThat(IncrementalRefreshAdversarialContract.fileOwnerInodes(map.ownersOfAllocated(
                    IncrementalRefreshAdversarialContract.extentsOf(later).get(0).physical(),
                    IncrementalRefreshAdversarialContract.extentsOf(later).get(0).physical() + 4096)))
                    .containsExactly(IncrementalRefreshAdversarialContract.inodeOf(later));
            assertThat(IncrementalRefreshAdversarialContract.fileOwnerInodes(map.ownersOfAllocated(shared.physical(),
                    shared.physical() + 4096))).containsExactlyInAnyOrder(
                    IncrementalRefreshAdversarialContract.inodeOf(source),
                    IncrementalRefreshAdversarialContract.inodeOf(destination));
        }
    }
}
