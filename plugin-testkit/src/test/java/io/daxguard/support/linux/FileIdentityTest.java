package io.daxguard.support.linux;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.testkit.Command;
import io.daxguard.testkit.Privileges;
import io.daxguard.testkit.ScratchFilesystem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What identifies a file and its filesystem, each checked against a tool that reads it another way. */
@Tag("mount")
class FileIdentityTest {
    @RegisterExtension
    static final ScratchFilesystem fs = ScratchFilesystem.xfs().build();

    @BeforeAll
    static void requireTools() {
        Privileges.requireRootLoopAnd("xfs_io", "blkid");
    }

    @Test
    void aRegularFileWithAnotherLinkHasMoreLinksThanOneName() throws IOException {
        Path file = Files.write(fs.path("linked-twice"), new byte[16]);
        Files.createLink(fs.path("linked-twice-again"), file);

        assertThat(FileStatus.ofPathNoFollow(file).hasNoMoreLinksThan(1)).isFalse();
    }

    @Test
    void fileStatusGivesTheInodeSizeAndDeviceTheJdkSees() throws IOException {
        Path file = Files.write(fs.path("status"), new byte[12345]);

        FileStatus status = FileStatus.ofPath(file);

        long inode = ((Number) Files.getAttribute(file, "unix:ino")).longValue();
        int mode = (Integer) Files.getAttribute(file, "unix:mode");
        int owner = (Integer) Files.getAttribute(file, "unix:uid");
        assertThat(status).isEqualTo(new FileStatus(fs.deviceNumber(), inode, mode, 1, 12345, status.rdev(), owner));
    }

    @Test
    void fileStatusOfTheDeviceGivesTheDeviceNumberTheKernelAssigned() throws IOException {
        String majorMinor = Files.readString(Path.of("/sys/class/block", fs.device().getFileName().toString(), "dev"))
                .strip();

        assertThat(FileStatus.ofPath(fs.device()).rdev().toString()).isEqualTo(majorMinor);
    }

    @Test
    void fileGenerationEqualsWhatXfsBulkstatReports() throws IOException {
        Path file = Files.write(fs.path("generation"), new byte[1]);
        long inode = ((Number) Files.getAttribute(file, "unix:ino")).longValue();
        String bulkstat = Command.run("xfs_io", "-c", "bulkstat_single " + inode, fs.mountPoint().toString());
        Matcher gen = Pattern.compile("bs_gen = 0x([0-9a-f]+)").matcher(bulkstat);
        assertThat(gen.find()).as("xfs_io bulkstat_single prints bs_gen in hex: %s", bulkstat).isTrue();

        try (NativeFile open = NativeFile.openReadOnly(file)) {
            assertThat(FileGeneration.of(open)).isEqualTo(Long.parseLong(gen.group(1), 16));
        }
    }

    @Test
    void filesystemUuidEqualsWhatBlkidReadsFromTheDevice() throws IOException {
        String blkid = Command.run("blkid", "-p", "-s", "UUID", "-o", "value", fs.device().toString()).strip();

        try (NativeFile mountPoint = NativeFile.openReadOnly(fs.mountPoint())) {
            assertThat(FilesystemUuid.of(mountPoint)).isEqualTo(blkid);
        }
    }

    @Test
    void filesystemStatsGiveTheXfsMagicAndBlockSize() throws IOException {
        try (NativeFile mountPoint = NativeFile.openReadOnly(fs.mountPoint())) {
            FilesystemStats stats = FilesystemStats.of(mountPoint);

            assertThat(stats).extracting(FilesystemStats::magic, FilesystemStats::blockSize)
                    .containsExactly(FilesystemStats.XFS_MAGIC, 4096L);
        }
    }
}
