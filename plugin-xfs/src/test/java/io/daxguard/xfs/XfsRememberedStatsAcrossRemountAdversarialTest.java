package io.daxguard.xfs;

import static io.daxguard.xfs.XfsFixtures.BLOCK;
import static io.daxguard.xfs.XfsFixtures.dataExtents;
import static io.daxguard.xfs.XfsFixtures.generation;
import static io.daxguard.xfs.XfsFixtures.inode;
import static io.daxguard.xfs.XfsFixtures.writeSynced;
import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.FailureRange;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.Owner;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.ScratchFilesystem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Adversarial (finding): the holder outlives an unmount and a mount of the same device at the same mount point (the
 * device number still matches), but the kernel dropped its fanotify mark at the unmount, and a change of the mount
 * table is not counted by {@code fileChangesOfAnyThreadSince}: the remembered BULKSTAT answers are never forgotten
 * again, and an inode number freed and given to another file is reported with the deleted file's generation.
 */
@Tag("mount")
class XfsRememberedStatsAcrossRemountAdversarialTest {
    @RegisterExtension
    static final XfsFixtures.AttachedScratchXfs xfs = new XfsFixtures.AttachedScratchXfs("xfs_io", "umount", "mount");
    private static final ScratchFilesystem fs = xfs.filesystem();

    private static List<FileOwner> files(List<Owner> owners) {
        return owners.stream().filter(FileOwner.class::isInstance).map(FileOwner.class::cast).toList();
    }

    private static void unmountAndMountAgain() throws IOException {
        Command.run("umount", fs.mountPoint().toString());
        Command.run("mount", "-t", "xfs", fs.device().toString(), fs.mountPoint().toString());
    }

    @Test
    void namesTheNewGenerationOfAnInodeNumberReusedAfterTheFilesystemWasMountedAgain() throws IOException {
        Path directory = Files.createDirectory(fs.path("remounted"));
        Path first = writeSynced(directory.resolve("first"), 1);
        long number = inode(first);
        long firstGeneration = generation(first);
        xfs.holder().notifyFailure(FailureRange.of(dataExtents(first).get(0).physical(), BLOCK));
        unmountAndMountAgain();
        Files.delete(first);
        Path second = XfsFixtures.fileTakingInode(directory, number);
        assertThat(second).as("precondition: XFS gave inode %d to a new file", number).isNotNull();
        assertThat(generation(second)).as("precondition: a new generation").isNotEqualTo(firstGeneration);

        List<Owner> owners = xfs.holder().notifyFailure(FailureRange.of(dataExtents(second).get(0).physical(), BLOCK));

        assertThat(files(owners)).extracting(FileOwner::inode, FileOwner::generation)
                .containsExactly(Tuple.tuple(number, generation(second)));
    }
}
