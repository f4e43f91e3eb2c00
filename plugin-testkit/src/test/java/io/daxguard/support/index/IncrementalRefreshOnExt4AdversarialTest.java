package io.daxguard.support.index;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.LinuxPath;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.ScratchFilesystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link IncrementalRefreshAdversarialContract} on ext4, and what only ext4 does predictably: a file deleted and a new
 * one made under the same name gets the same inode number back (the first free inode of the directory's group), with a
 * new generation. Made without a writable open ({@code mknod}, or {@code open(O_CREAT|O_RDONLY)} as a lock file is),
 * no event names the new file itself: the directory's listing shows the same name and inode as before, so the refresh
 * keeps the deleted file's record (old generation, old extents).
 */
class IncrementalRefreshOnExt4AdversarialTest extends IncrementalRefreshAdversarialContract {
    @RegisterExtension
    static final ScratchFilesystem FILESYSTEM = ScratchFilesystem.ext4().mkfsOptions("-b", "4096").build();

    @Override
    void defragment(Path file) throws java.io.IOException {
        Command.run("e4defrag", file.toString());
    }

    @Override
    ScratchFilesystem filesystem() {
        return FILESYSTEM;
    }

    /** Deletes {@code file} and makes an empty file under its name without opening it for writing (mknod). */
    private static void replaceByAnEmptyFileMadeWithoutAWritableOpen(Path file) throws Exception {
        Files.delete(file);
        Command.run("sync");
        Command.run("python3", "-c", "import os, stat, sys; os.mknod(sys.argv[1], stat.S_IFREG | 0o644)",
                file.toString());
    }

    /** FINDING (fails): the refreshed index keeps the deleted file's extents for the inode now an empty file. */
    @Test
    void aFileRecreatedUnderTheSameNameAndInodeIsIndexedAsItIsNow() throws Exception {
        Path file = write(directory.resolve("file"), 65536, 31);
        buildMap();
        long inode = inodeOf(file);
        replaceByAnEmptyFileMadeWithoutAWritableOpen(file);
        assertThat(inodeOf(file)).as("precondition: ext4 gave the inode number back").isEqualTo(inode);
        Path trigger = write(directory.resolve("trigger"), 8192, 32);

        assertThat(askAboutTheFirstBlockOf(trigger)).containsExactly(inodeOf(trigger));
        assertThat(map.rebuilds()).containsEntry(RebuildCause.INCREMENTAL, 1L);
        assertThat(indexedDataExtents(map.index().orElseThrow(), inode)).as("the index's extents of inode %d", inode)
                .isEqualTo(liveDataExtents(file));
    }

    /**
     * FINDING (fails): a directory removed and made again under its name gets its inode back, with no event naming
     * it (mkdir reports the parent only, the old directory's events carry a stale handle), so the refresh keeps the
     * old directory's listing: its deleted file stays named, and the file that got the deleted file's inode back is
     * named under the deleted name too ("a deleted file is never named").
     */
    @Test
    void neverNamesAFileUnderTheNameOfADeletedFileInADirectoryMadeAgain() throws Exception {
        Path remade = Files.createDirectory(directory.resolve("remade"));
        Path other = Files.createDirectory(directory.resolve("other"));
        Path deleted = write(remade.resolve("deleted"), 65536, 61);
        buildMap();
        long directoryInode = inodeOf(remade);
        long deletedInode = inodeOf(deleted);
        Files.delete(deleted);
        Files.delete(remade);
        Command.run("sync");
        Files.createDirectory(remade);
        Path reuser = write(other.resolve("reuser"), 65536, 62);
        assertThat(inodeOf(remade)).as("precondition: ext4 gave the directory's inode back").isEqualTo(directoryInode);
        assertThat(inodeOf(reuser)).as("precondition: ext4 gave the file's inode back").isEqualTo(deletedInode);

        assertThat(askAboutTheFirstBlockOf(reuser)).containsExactly(inodeOf(reuser));
        assertThat(map.rebuilds()).containsEntry(RebuildCause.INCREMENTAL, 1L);
        assertThat(map.index().orElseThrow().pathsOf(inodeOf(reuser))).containsExactly(LinuxPath.of(reuser));
    }

    /**
     * FINDING (fails): the stale record of the recreated file proposes blocks now another file's; each question
     * about them is rejected and refreshes the index (incrementally, with nothing changed, so the record stays) on
     * a filesystem that did not change: "no query ever rebuilds the index of an unchanged filesystem".
     */
    @Test
    void questionsAboutBlocksOfARecreatedFileNowOwnedByAnotherDoNotRefreshAnUnchangedFilesystem() throws Exception {
        Path file = write(directory.resolve("file"), 1 << 20, 41);
        buildMap();
        long inode = inodeOf(file);
        FiemapExtent old = extentsOf(file).get(0);
        replaceByAnEmptyFileMadeWithoutAWritableOpen(file);
        assertThat(inodeOf(file)).as("precondition: ext4 gave the inode number back").isEqualTo(inode);
        Path reuser = write(directory.resolve("reuser"), 1 << 20, 42);
        FiemapExtent reused = extentsOf(reuser).get(0);
        assertThat(reused.physical()).as("precondition: the new file took the deleted one's blocks")
                .isEqualTo(old.physical());
        assertThat(askAboutTheFirstBlockOf(reuser)).containsExactly(inodeOf(reuser));
        Map<RebuildCause, Long> afterTheChange = map.rebuilds();

        for (int question = 0; question < 3; question++) {
            assertThat(askAboutTheFirstBlockOf(reuser)).containsExactly(inodeOf(reuser));
        }

        assertThat(map.rebuilds()).as("refreshes after questions on an unchanged filesystem")
                .isEqualTo(afterTheChange);
    }
}
