package io.daxguard.support.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daxguard.testkit.Privileges;
import io.daxguard.testkit.ScratchFilesystem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Freeze, thaw and shutdown of real XFS and ext4 filesystems on loop devices, and what each errno is taken to mean.
 * Every test makes a filesystem of its own (a shut-down one is good for nothing but unmounting).
 */
@Tag("mount")
class FilesystemControlTest {
    @BeforeAll
    static void requireRoot() {
        Privileges.requireRootLoopAnd("mkfs.xfs", "mkfs.ext4");
    }

    @ParameterizedTest
    @ValueSource(strings = {"xfs", "ext4"})
    void isFrozenSaysWhetherAFreezeHoldsAndLeavesAThawedFilesystemThawed(String type) throws IOException {
        try (ScratchFilesystem filesystem = ScratchFilesystem.of(type).create();
             NativeFile mountPoint = NativeFile.openDirectory(filesystem.mountPoint())) {
            assertThat(FilesystemControl.isFrozen(mountPoint)).isFalse();
            FilesystemControl.freeze(mountPoint);
            try {
                assertThat(FilesystemControl.isFrozen(mountPoint)).isTrue();
            } finally {
                FilesystemControl.thaw(mountPoint);
            }
            assertThat(FilesystemControl.isFrozen(mountPoint)).isFalse();
            Files.writeString(filesystem.path("after-the-questions"), "written"); // not left frozen by them
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"xfs", "ext4"})
    void aSecondFreezeIsAlreadyFrozenAndASecondThawIsNotFrozen(String type) throws IOException {
        try (ScratchFilesystem filesystem = ScratchFilesystem.of(type).create();
             NativeFile mountPoint = NativeFile.openDirectory(filesystem.mountPoint())) {
            FilesystemControl.freeze(mountPoint);
            try {
                assertThatThrownBy(() -> FilesystemControl.freeze(mountPoint))
                        .isInstanceOfSatisfying(FilesystemControlException.class, e -> {
                            assertThat(e.meaning()).isEqualTo(FilesystemControlException.Meaning.ALREADY_FROZEN);
                            assertThat(e.errno()).isEqualTo(NativeCallException.EBUSY);
                        })
                        .hasMessageStartingWith("the filesystem is frozen already: ioctl(FIFREEZE)");
            } finally {
                FilesystemControl.thaw(mountPoint);
            }
            assertThatThrownBy(() -> FilesystemControl.thaw(mountPoint))
                    .isInstanceOfSatisfying(FilesystemControlException.class,
                            e -> assertThat(e.meaning()).isEqualTo(FilesystemControlException.Meaning.NOT_FROZEN))
                    .hasMessageContaining("EINVAL");
            Files.writeString(filesystem.path("after-thaw"), "written");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"xfs", "ext4"})
    void afterAShutdownEveryWriteFailsWithEio(String type) throws IOException {
        try (ScratchFilesystem filesystem = ScratchFilesystem.of(type).create()) {
            Files.writeString(filesystem.path("before"), "written before");
            try (NativeFile mountPoint = NativeFile.openDirectory(filesystem.mountPoint())) {
                if (type.equals("xfs")) {
                    FilesystemControl.shutdownXfs(mountPoint);
                } else {
                    FilesystemControl.shutdownExt4(mountPoint);
                }
            }
            Path after = filesystem.path("after");

            assertThatThrownBy(() -> Files.writeString(after, "refused")).isInstanceOf(IOException.class)
                    .hasMessageContaining("Input/output error");
        }
    }

    @Test
    void procCannotBeFrozen() throws IOException {
        try (NativeFile proc = NativeFile.openDirectory(Path.of("/proc"))) {
            assertThatThrownBy(() -> FilesystemControl.freeze(proc))
                    .isInstanceOfSatisfying(FilesystemControlException.class,
                            e -> assertThat(e.meaning()).isEqualTo(FilesystemControlException.Meaning.UNSUPPORTED));
        }
    }
}
