package io.daxguard.support.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daxguard.testkit.Command;
import io.daxguard.testkit.Privileges;
import io.daxguard.testkit.ScratchFilesystem;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The two ways to ask the kernel for an ext4's UUID, on an ext4 whose UUID is changed while it is mounted (as
 * {@code tune2fs -U} does online for a filesystem with {@code metadata_csum_seed}): ext4's own ioctl says what
 * {@code blkid -p} reads from the device, the VFS's says what it was at mount time.
 */
@Tag("mount")
class FilesystemUuidTest {
    private static final String AT_MOUNT = "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9";
    private static final String SINCE = "9e8d7c6b-5a49-4837-a261-504f3e2d1c0b";

    @RegisterExtension
    static final ScratchFilesystem FILESYSTEM = ScratchFilesystem.ext4()
            .mkfsOptions("-U", AT_MOUNT, "-O", "metadata_csum_seed").build();

    @BeforeAll
    static void requireTools() {
        Privileges.requireRootLoopAnd("tune2fs", "blkid");
    }

    @BeforeEach
    void changeTheUuidWhileMounted() throws IOException {
        Command.run("tune2fs", "-U", SINCE, FILESYSTEM.device().toString());
    }

    @Test
    void ext4sIoctlGivesTheUuidBlkidReadsFromTheDevice() throws IOException {
        String blkid = Command.run("blkid", "-p", "-s", "UUID", "-o", "value", FILESYSTEM.device().toString()).strip();

        try (NativeFile mountPoint = NativeFile.openDirectory(FILESYSTEM.mountPoint())) {
            assertThat(FilesystemUuid.ofExt4(mountPoint)).isEqualTo(blkid).isEqualTo(SINCE);
        }
    }

    /** Why ext4's UUID is not taken from {@code FS_IOC_GETFSUUID}. */
    @Test
    void theVfsKeepsTheUuidOfMountTime() throws IOException {
        try (NativeFile mountPoint = NativeFile.openDirectory(FILESYSTEM.mountPoint())) {
            assertThat(FilesystemUuid.of(mountPoint)).isEqualTo(AT_MOUNT);
        }
    }

    @Test
    void ext4sIoctlOnAnotherFilesystemIsUnsupportedAndSaysWhere() throws IOException {
        try (NativeFile proc = NativeFile.openDirectory(Path.of("/proc"))) {
            assertThatThrownBy(() -> FilesystemUuid.ofExt4(proc))
                    .isInstanceOfSatisfying(NativeCallException.class,
                            e -> assertThat(e.isUnsupported()).as("isUnsupported").isTrue())
                    .hasMessage("ioctl(EXT4_IOC_GETFSUUID) on /proc failed: ENOTTY (Inappropriate ioctl for device)");
        }
    }
}
