package io.daxguard.agent.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.DeviceNumber;
import io.daxguard.support.linux.FileGeneration;
import io.daxguard.support.linux.FileStatus;
import io.daxguard.support.linux.NativeFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reading maps files in the kernel's format, from a copy of /proc laid out in a temporary directory whose
 * {@code map_files} entries are symlinks to real files (as the kernel's magic links lead to the mapped file).
 */
class MappingProcessesTest {
    private static final String RANGE = "7f3a1c000000-7f3a1c010000";
    @TempDir
    Path proc;
    @TempDir
    Path files;
    private Path mapped;
    private MappingProcesses.FileIdentity identity;

    @BeforeEach
    void aRealFile() throws IOException {
        mapped = Files.write(files.resolve("table.dat"), new byte[4096]);
        FileStatus status = FileStatus.ofPath(mapped);
        try (NativeFile file = NativeFile.openReadOnly(mapped)) {
            identity = new MappingProcesses.FileIdentity(status.device(), status.inode(), FileGeneration.of(file));
        }
    }

    private void process(long pid, String command, DeviceNumber device, long inode) throws IOException {
        Path directory = Files.createDirectories(proc.resolve(Long.toString(pid)));
        Files.writeString(directory.resolve("comm"), command + "\n");
        Files.writeString(directory.resolve("maps"), RANGE + " r--s 00000000 " + String.format("%02x:%02x",
                device.major(), device.minor()) + " " + inode + "   /mnt/data/table.dat\n");
        Files.createSymbolicLink(Files.createDirectories(directory.resolve("map_files")).resolve(RANGE), mapped);
    }

    @Test
    void aProcessMappingTheFileIsFound() throws IOException {
        process(4242, "postgres", identity.device(), identity.inode());

        assertThat(MappingProcesses.of(proc, identity)).containsExactly(new MappingProcesses.Mapper(4242, "postgres"));
    }

    /** An inode number reused by another file: same device and inode in maps, another generation. */
    @Test
    void aMappingOfTheSameInodeNumberWithAnotherGenerationIsNotTheFile() throws IOException {
        process(4242, "postgres", identity.device(), identity.inode());

        assertThat(MappingProcesses.of(proc, new MappingProcesses.FileIdentity(identity.device(), identity.inode(),
                identity.generation() + 1))).isEmpty();
    }

    @Test
    void theSameInodeOnAnotherDeviceIsNotAMatch() throws IOException {
        DeviceNumber other = new DeviceNumber(identity.device().major() + 1, identity.device().minor());
        process(4243, "cat", other, identity.inode());

        assertThat(MappingProcesses.of(proc, identity)).isEmpty();
    }

    @Test
    void entriesThatAreNotProcessesAreIgnored() throws IOException {
        process(4244, "vm", identity.device(), identity.inode());
        Files.move(proc.resolve("4244"), proc.resolve("self"));

        assertThat(MappingProcesses.of(proc, identity)).isEmpty();
    }
}
