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
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Changes made while the first build walks (made from the build's first progress report, by another process, so they
 * land between the build's change count and the end of its walk): the index that results must not vouch for what it
 * read before them. ext4 with a few hundred files. (Held in the review.)
 */
@Tag("mount")
class ChangesDuringTheFirstBuildAdversarialTest {
    @RegisterExtension
    static final ScratchFilesystem EXT4 = ScratchFilesystem.ext4().mkfsOptions("-b", "4096").build();

    @BeforeAll
    static void requireTools() {
        Privileges.requireRootLoopAnd("xfs_io");
    }

    @Test
    void aFileEmptiedAndAnotherWrittenDuringTheBuildAreAnsweredAsTheyAreNow() throws Exception {
        Path tree = Files.createDirectory(EXT4.path("during"));
        for (int i = 0; i < 300; i++) {
            write(tree.resolve("f" + i), 8192, i);
        }
        Path victim = tree.resolve("f150");
        Path reuser = tree.resolve("reuser");
        Command.run("sync");
        List<FiemapExtent> before = extentsOf(victim);
        AtomicBoolean changed = new AtomicBoolean();
        try (LiveReverseMap map = LiveReverseMap.start(EXT4.mountPointBytes(), ExtraExtentSource.NONE,
                IncrementalRefreshAdversarialContract.LOGGER, progress -> {
                    if (progress.state() == IndexBuildProgress.State.BUILDING && changed.compareAndSet(false, true)) {
                        try {
                            Command.run("xfs_io", "-c", "fpunch 0 8k", "-c", "fsync", victim.toString());
                            Command.run("xfs_io", "-f", "-c", "pwrite -S 0x33 0 64k", "-c", "fsync",
                                    reuser.toString());
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }
                })) {
            assertThat(map.awaitIndex(Duration.ofMinutes(5))).isTrue();
            assertThat(changed).as("precondition: changed during the build").isTrue();
            assertThat(extentsOf(victim)).as("precondition: punched").isEmpty();

            for (FiemapExtent left : before) {
                assertThat(fileOwnerInodes(map.ownersOfAllocated(left.physical(), left.physical() + 4096)))
                        .doesNotContain(inodeOf(victim));
            }
            FiemapExtent placed = extentsOf(reuser).get(0);
            assertThat(fileOwnerInodes(map.ownersOfAllocated(placed.physical(), placed.physical() + 4096)))
                    .containsExactly(inodeOf(reuser));
        }
    }
}
