package io.daxguard.support.index;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.LinuxPath;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.Privileges;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which mounts {@link MountsBelow} counts as at or below a directory, read from the live mount table. */
@Tag("mount")
class MountsBelowTest {
    @TempDir
    Path temporary;

    @BeforeAll
    static void requireRoot() {
        Privileges.requireRootLoopAnd("mount", "umount");
    }

    @Test
    void countsAMountOnADirectoryWhoseNameHasASpaceBelowTheRootOnly() throws IOException {
        Path root = Files.createDirectory(temporary.resolve("root"));
        Path below = Files.createDirectory(root.resolve("with space"));
        Path sibling = Files.createDirectory(temporary.resolve("root-sibling"));
        assertThat(MountsBelow.of(LinuxPath.of(root))).as("before the mount").isEmpty();
        Command.run("mount", "-t", "tmpfs", "-o", "size=1m", "daxguard-test", below.toString());
        try {
            assertThat(MountsBelow.of(LinuxPath.of(root))).hasSize(1);
            assertThat(MountsBelow.of(LinuxPath.of(sibling))).isEmpty();
        } finally {
            Command.run("umount", below.toString());
        }
    }
}
