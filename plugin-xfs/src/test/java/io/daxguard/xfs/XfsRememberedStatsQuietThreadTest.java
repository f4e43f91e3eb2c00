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
import io.daxguard.support.linux.FilesystemChanges;
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
 * Adversarial (held up): the agent's own quiet thread (its index and saved files) deletes a file and makes another
 * that reuses the inode number, between two questions of a batch; the batch names the new generation.
 */
@Tag("mount")
class XfsRememberedStatsQuietThreadTest {
    @RegisterExtension
    static final XfsFixtures.AttachedScratchXfs xfs = new XfsFixtures.AttachedScratchXfs("xfs_io");
    private static final ScratchFilesystem fs = xfs.filesystem();

    @Test
    void namesTheNewGenerationOfAnInodeNumberReusedByTheAgentsOwnQuietThread() throws IOException {
        Path directory = Files.createDirectory(fs.path("quiet"));
        Path first = writeSynced(directory.resolve("first"), 1);
        Path other = writeSynced(directory.resolve("other"), 1);
        long number = inode(first);
        FailureRange otherBlock = FailureRange.of(dataExtents(other).get(0).physical(), BLOCK);
        xfs.holder().notifyFailures(List.of(FailureRange.of(dataExtents(first).get(0).physical(), BLOCK), otherBlock));
        Path second = null;
        FilesystemChanges.quietCurrentThread();
        try {
            Files.delete(first);
            second = XfsFixtures.fileTakingInode(directory, number);
        } finally {
            FilesystemChanges.unquietCurrentThread();
        }
        assertThat(second).as("precondition: XFS gave inode %d to a new file", number).isNotNull();

        List<List<Owner>> owners = xfs.holder().notifyFailures(
                List.of(otherBlock, FailureRange.of(dataExtents(second).get(0).physical(), BLOCK)));

        assertThat(owners.get(1)).filteredOn(FileOwner.class::isInstance).map(FileOwner.class::cast)
                .extracting(FileOwner::inode, FileOwner::generation)
                .containsExactly(Tuple.tuple(number, generation(second)));
    }
}
