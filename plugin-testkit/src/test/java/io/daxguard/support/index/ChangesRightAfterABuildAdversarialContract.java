package io.daxguard.support.index;

import static io.daxguard.support.index.IncrementalRefreshAdversarialContract.extentsOf;
import static io.daxguard.support.index.IncrementalRefreshAdversarialContract.inodeOf;
import static io.daxguard.support.index.LiveReverseMapContract.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.FileOwner;
import io.daxguard.spi.Owner;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.Privileges;
import io.daxguard.testkit.ScratchFilesystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Changes that send a fanotify event, made right after a whole build (when the index vouches for its plain data
 * extents), each checked against FIEMAP: every block the file maps now is answered with the file at the right file
 * offset, and no block it left is answered with it. Each change is made by another process ({@code xfs_io}), as an
 * application would. Subclasses give the filesystem.
 */
@Tag("mount")
abstract class ChangesRightAfterABuildAdversarialContract {
    private static int directories;
    private LiveReverseMap map;
    Path directory;
    Path file;

    abstract ScratchFilesystem filesystem();

    @BeforeAll
    static void requireTools() {
        Privileges.requireRootLoopAnd("xfs_io");
    }

    @BeforeEach
    void aFileThenABuild() throws Exception {
        directory = Files.createDirectory(filesystem().path("after-build-" + (++directories)));
        file = write(directory.resolve("file"), 256 * 1024, directories);
        write(directory.resolve("destination"), 4096, 1000 + directories);
        Command.run("sync");
        map = LiveReverseMap.start(filesystem().mountPointBytes(), ExtraExtentSource.NONE,
                IncrementalRefreshAdversarialContract.LOGGER, p -> {
                });
        assertThat(map.awaitIndex(Duration.ofMinutes(5))).isTrue();
    }

    @AfterEach
    void closeMap() throws Exception {
        map.close();
    }

    @Test
    void punchHole() throws Exception {
        changedAndAsked(file, "fpunch 64k 64k");
    }

    @Test
    void collapseRange() throws Exception {
        changedAndAsked(file, "fcollapse 64k 64k");
    }

    @Test
    void insertRange() throws Exception {
        changedAndAsked(file, "finsert 64k 64k");
    }

    @Test
    void zeroRange() throws Exception {
        changedAndAsked(file, "fzero 64k 64k");
    }

    @Test
    void directWritePastTheEnd() throws Exception {
        changedAndAsked(file, "pwrite -D -S 0x5a 256k 64k");
    }

    @Test
    void truncateShorter() throws Exception {
        changedAndAsked(file, "truncate 64k");
    }

    @Test
    void copyFileRangeIntoAnotherFile() throws Exception {
        List<FiemapExtent> before = extentsOf(directory.resolve("destination"));
        Command.run("xfs_io", "-c", "copy_range -s 0 -d 0 -l 262144 " + file, directory.resolve("destination")
                .toString());
        answeredAsFiemapSays(directory.resolve("destination"), before);
        answeredAsFiemapSays(file, extentsOf(file));
    }

    @Test
    void deletedAndAnotherFileWritten() throws Exception {
        List<FiemapExtent> before = extentsOf(file);
        long inode = inodeOf(file);
        Files.delete(file);
        Path other = write(directory.resolve("other"), 256 * 1024, 77);
        Command.run("sync");
        List<FiemapExtent> reused = extentsOf(other);
        for (FiemapExtent extent : before) {
            if (reused.stream().noneMatch(e -> e.physical() <= extent.physical() && extent.physical() < e.physicalEnd())) {
                assertThat(fileOwners(extent.physical())).as("the deleted file's block %d", extent.physical())
                        .noneMatch(owner -> owner.inode() == inode);
            }
        }
        answeredAsFiemapSays(other, List.of());
    }

    @Test
    void renamedWhileOpenAndWrittenThroughTheOpenDescriptor() throws Exception {
        List<FiemapExtent> before = extentsOf(file);
        Path renamed = directory.resolve("renamed");
        try (java.nio.channels.FileChannel open = java.nio.channels.FileChannel.open(file,
                java.nio.file.StandardOpenOption.WRITE)) {
            Files.move(file, renamed);
            open.write(java.nio.ByteBuffer.wrap(new byte[65536]), 256 * 1024);
            open.force(true);
            answeredAsFiemapSays(renamed, before);
        }
    }

    /** Runs {@code xfs_io -c command} on {@code changed}, then checks every block it maps now and every one it left. */
    void changedAndAsked(Path changed, String command) throws Exception {
        List<FiemapExtent> before = extentsOf(changed);
        Command.run("xfs_io", "-c", command, changed.toString());
        answeredAsFiemapSays(changed, before);
    }

    void answeredAsFiemapSays(Path changed, List<FiemapExtent> before) throws Exception {
        Command.run("sync");
        long inode = inodeOf(changed);
        List<FiemapExtent> now = extentsOf(changed);
        for (FiemapExtent extent : now) {
            for (long offset = 0; offset < extent.length(); offset += 16 * 4096) {
                long physical = extent.physical() + offset;
                long fileOffset = extent.logical() + offset;
                assertThat(fileOwners(physical)).as("block at %d, file offset %d", physical, fileOffset)
                        .anyMatch(owner -> owner.inode() == inode && owner.fileOffset() == fileOffset);
            }
        }
        for (FiemapExtent left : before) {
            for (long offset = 0; offset < left.length(); offset += 4096) {
                long physical = left.physical() + offset;
                if (now.stream().noneMatch(e -> e.physical() <= physical && physical < e.physicalEnd())) {
                    assertThat(fileOwners(physical)).as("block at %d, left by the file", physical)
                            .noneMatch(owner -> owner.inode() == inode);
                }
            }
        }
    }

    private List<FileOwner> fileOwners(long physical) throws Exception {
        List<Owner> owners = map.ownersOfAllocated(physical, physical + 4096);
        return owners.stream().filter(FileOwner.class::isInstance).map(FileOwner.class::cast).toList();
    }
}
