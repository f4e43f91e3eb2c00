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
import io.daxguard.testkit.ScratchFilesystem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The XFS holder (rmapbt) remembers each inode's BULKSTAT answer until the filesystem changes: on a real XFS, how many
 * BULKSTATs questions make, and that an inode number freed and given to another file is answered with the new file's
 * generation.
 */
@Tag("mount")
class XfsRememberedInodeStatsTest {
    @RegisterExtension
    static final XfsFixtures.AttachedScratchXfs xfs = new XfsFixtures.AttachedScratchXfs("xfs_io");
    private static final ScratchFilesystem fs = xfs.filesystem();
    private static int directories;

    private static XfsHolder holder() {
        return (XfsHolder) xfs.holder();
    }

    private static List<FileOwner> files(List<Owner> owners) {
        return owners.stream().filter(FileOwner.class::isInstance).map(FileOwner.class::cast).toList();
    }

    private static Path freshDirectory() throws IOException {
        return Files.createDirectory(fs.path("stats-" + (++directories)));
    }

    @Test
    void asksBulkstatOnceForAFileAskedAboutTwiceOnAnUnchangedFilesystem() throws IOException {
        Path file = writeSynced(freshDirectory().resolve("asked-twice"), 4);
        long physical = dataExtents(file).get(0).physical();
        holder().notifyFailure(FailureRange.of(physical, BLOCK));
        long bulkstats = holder().bulkstats();

        List<Owner> owners = holder().notifyFailure(FailureRange.of(physical + BLOCK, BLOCK));

        assertThat(holder().bulkstats()).isEqualTo(bulkstats);
        assertThat(files(owners)).extracting(FileOwner::inode, FileOwner::generation)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(inode(file), generation(file)));
    }

    @Test
    void asksBulkstatAgainOnceAnyFileChanged() throws IOException {
        Path directory = freshDirectory();
        Path file = writeSynced(directory.resolve("asked-around-a-change"), 4);
        long physical = dataExtents(file).get(0).physical();
        holder().notifyFailure(FailureRange.of(physical, BLOCK));
        long bulkstats = holder().bulkstats();
        writeSynced(directory.resolve("another"), 1);

        holder().notifyFailure(FailureRange.of(physical, BLOCK));

        assertThat(holder().bulkstats()).isEqualTo(bulkstats + 1);
    }

    @Test
    void namesTheNewGenerationOfAnInodeNumberFreedAndGivenToAnotherFile() throws IOException {
        Path directory = freshDirectory();
        Path first = writeSynced(directory.resolve("first"), 1);
        long number = inode(first);
        holder().notifyFailure(FailureRange.of(dataExtents(first).get(0).physical(), BLOCK));
        Files.delete(first);
        Path second = XfsFixtures.fileTakingInode(directory, number);
        assertThat(second).as("precondition: XFS gave inode %d to a new file", number).isNotNull();

        List<Owner> owners = holder().notifyFailure(FailureRange.of(dataExtents(second).get(0).physical(), BLOCK));

        assertThat(files(owners)).extracting(FileOwner::inode, FileOwner::generation)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(number, generation(second)));
    }
}
