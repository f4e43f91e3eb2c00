package io.daxguard.agent.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daxguard.agent.ledger.FileKey;
import io.daxguard.spi.LinuxPath;
import io.daxguard.support.linux.FileGeneration;
import io.daxguard.support.linux.FileStatus;
import io.daxguard.support.linux.NativeFile;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.ScratchFilesystem;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The recovery identity check on a real btrfs: a file and its copy in a snapshot have the same inode number and
 * generation, and only their subvolume (statx stx_subvol) tells them apart; a name that leads to the copy is refused
 * for the original and opened for the copy.
 */
@Tag("mount")
class FileOpenerSubvolumeTest {
    @RegisterExtension
    static final ScratchFilesystem BTRFS = ScratchFilesystem.of("btrfs").sizeMiB(256).build();

    private static long inode;
    private static long generation;
    private static long snapshot;

    @BeforeAll
    static void aFileAndItsSnapshotCopy() throws Exception {
        Path file = Files.writeString(BTRFS.path("data.bin"), "data");
        Command.run("btrfs", "subvolume", "snapshot", BTRFS.mountPoint().toString(), BTRFS.path("snap").toString());
        try (NativeFile opened = NativeFile.openReadOnly(file)) {
            inode = opened.status().inode();
            generation = FileGeneration.of(opened);
        }
        snapshot = FileStatus.subvolumeOf(LinuxPath.of(BTRFS.path("snap/data.bin"))).orElseThrow();
    }

    private static FileKey inSubvolume(long subvolume) {
        return FileKey.inSubvolume("uuid", BTRFS.mountPoint().toString(), subvolume, inode, generation);
    }

    @Test
    void theSnapshotCopyHasTheSameInodeAndGenerationInAnotherSubvolume() throws Exception {
        try (NativeFile copy = NativeFile.openReadOnly(BTRFS.path("snap/data.bin"))) {
            assertThat(copy.status().inode()).isEqualTo(inode);
            assertThat(FileGeneration.of(copy)).isEqualTo(generation);
        }
        assertThat(snapshot).isNotEqualTo(5);
    }

    @Test
    void aNameLeadingToTheSnapshotCopyIsRefusedForTheOriginal() {
        assertThatThrownBy(() -> FileOpener.open(BTRFS.mountPointBytes(), "/snap/data.bin", inSubvolume(5),
                NativeFile.Access.READ)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is another file now");
    }

    @Test
    void eachFileOpensByItsNameInItsSubvolume() throws Exception {
        try (NativeFile original = FileOpener.open(BTRFS.mountPointBytes(), "/data.bin", inSubvolume(5),
                NativeFile.Access.READ);
             NativeFile copy = FileOpener.open(BTRFS.mountPointBytes(), "/snap/data.bin", inSubvolume(snapshot),
                     NativeFile.Access.READ)) {
            assertThat(FileStatus.subvolumeOf(original)).hasValue(5);
            assertThat(FileStatus.subvolumeOf(copy)).hasValue(snapshot);
        }
    }
}
