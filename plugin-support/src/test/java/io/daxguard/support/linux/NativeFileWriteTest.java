package io.daxguard.support.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.jna.Memory;
import io.daxguard.spi.LinuxPath;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Opening for writing without following symlinks, pwrite, fsync and O_DIRECT reads on a real file. */
class NativeFileWriteTest {
    @TempDir
    Path directory;

    @Test
    void pwriteChangesExactlyTheBytesAskedAndFsyncSucceeds() throws Exception {
        Files.write(directory.resolve("data"), new byte[8192]);
        try (NativeFile dir = NativeFile.openDirectory(directory);
             NativeFile file = dir.openChildNoFollow(LinuxPath.ofText("data"), NativeFile.Access.WRITE);
             Memory ones = new Memory(100)) {
            ones.setMemory(0, 100, (byte) 1);
            file.pwrite(ones, 100, 4096);
            file.fsync();
        }

        byte[] expected = new byte[8192];
        java.util.Arrays.fill(expected, 4096, 4196, (byte) 1);
        assertThat(Files.readAllBytes(directory.resolve("data"))).isEqualTo(expected);
    }

    @Test
    void aSymlinkInPlaceOfTheFileIsRefusedWithEloop() throws Exception {
        Files.write(directory.resolve("target"), new byte[10]);
        Files.createSymbolicLink(directory.resolve("link"), directory.resolve("target"));
        try (NativeFile dir = NativeFile.openDirectory(directory)) {
            assertThatThrownBy(() -> dir.openChildNoFollow(LinuxPath.ofText("link"), NativeFile.Access.WRITE))
                    .isInstanceOfSatisfying(NativeCallException.class,
                            e -> assertThat(e.errno()).isEqualTo(NativeCallException.ELOOP));
        }
    }

    @Test
    void aDirectReadIntoAnAlignedBufferReturnsTheFileBytes() throws Exception {
        byte[] data = new byte[4096];
        java.util.Arrays.fill(data, (byte) 7);
        Files.write(directory.resolve("direct"), data);
        try (NativeFile dir = NativeFile.openDirectory(directory);
             NativeFile file = dir.openChildNoFollow(LinuxPath.ofText("direct"), NativeFile.Access.READ_DIRECT);
             Memory raw = new Memory(2 * 4096)) {
            Memory aligned = raw.align(4096);
            long read = file.pread(aligned, 4096, 0);

            assertThat(aligned.getByteArray(0, (int) read)).isEqualTo(data);
        }
    }
}
