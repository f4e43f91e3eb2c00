package io.daxguard.support.index;

import static io.daxguard.support.index.IncrementalRefreshAdversarialContract.extentsOf;
import static io.daxguard.support.index.IncrementalRefreshAdversarialContract.fileOwnerInodes;
import static io.daxguard.support.index.IncrementalRefreshAdversarialContract.inodeOf;
import static io.daxguard.support.index.LiveReverseMapContract.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.LinuxPath;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.Privileges;
import io.daxguard.testkit.ScratchFilesystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Mounts made right after a whole build, when the index vouches for its extents and names: a filesystem mounted over
 * a subdirectory or over the root, and a bind mount of a subdirectory over another. No owner may be wrong and no name
 * given may lead elsewhere. Each mount is undone before the test ends. (These held in the review.)
 */
@Tag("mount")
class MountsAfterTheBuildAdversarialTest {
    @RegisterExtension
    static final ScratchFilesystem EXT4 = ScratchFilesystem.ext4().mkfsOptions("-b", "4096").build();

    private static int directories;
    private LiveReverseMap map;
    private Path directory;
    private Path file;
    private FiemapExtent placed;
    private Path mountedOver;

    @BeforeAll
    static void requireTools() {
        Privileges.requireRootLoopAnd("mount", "umount");
    }

    @BeforeEach
    void aFileInASubdirectoryThenABuild() throws Exception {
        directory = Files.createDirectory(EXT4.path("mounts-" + (++directories)));
        file = write(Files.createDirectory(directory.resolve("sub")).resolve("file"), 65536, 111);
        Files.createDirectory(directory.resolve("other"));
        Command.run("sync");
        placed = extentsOf(file).get(0);
        map = LiveReverseMap.start(EXT4.mountPointBytes(), ExtraExtentSource.NONE,
                IncrementalRefreshAdversarialContract.LOGGER, p -> {
                });
        assertThat(map.awaitIndex(Duration.ofMinutes(5))).isTrue();
    }

    @AfterEach
    void unmountThenClose() throws Exception {
        try {
            if (mountedOver != null) {
                Command.run("umount", mountedOver.toString());
            }
        } finally {
            map.close();
        }
    }

    @Test
    void aFilesystemMountedOverTheFilesDirectoryLeavesItsOwnerAndGivesNoNameThroughTheMount() throws Exception {
        long inode = inodeOf(file);
        mount("-t", "tmpfs", "none", directory.resolve("sub"));

        assertThat(fileOwnerInodes(map.ownersOfAllocated(placed.physical(), placed.physical() + 4096)))
                .containsExactly(inode);
        Optional<Map<Long, List<LinuxPath>>> names = map.verifiedPaths(List.of(inode));
        assertThat(names.map(m -> m.getOrDefault(inode, List.of())).orElse(List.of()))
                .as("a name through the tmpfs leads nowhere").isEmpty();
    }

    @Test
    void aBindMountOverTheFilesDirectoryGivesNoNameThroughTheMount() throws Exception {
        long inode = inodeOf(file);
        mount("--bind", directory.resolve("other").toString(), directory.resolve("sub"));

        assertThat(fileOwnerInodes(map.ownersOfAllocated(placed.physical(), placed.physical() + 4096)))
                .containsExactly(inode);
        Optional<Map<Long, List<LinuxPath>>> names = map.verifiedPaths(List.of(inode));
        assertThat(names.map(m -> m.getOrDefault(inode, List.of())).orElse(List.of()))
                .as("the name leads into the other directory now").isEmpty();
    }

    @Test
    void aFilesystemMountedOverTheRootNamesNoOtherFile() throws Exception {
        long inode = inodeOf(file);
        mount("-t", "tmpfs", "none", EXT4.mountPoint());

        assertThat(fileOwnerInodes(map.ownersOfAllocated(placed.physical(), placed.physical() + 4096)))
                .allMatch(owner -> owner == inode);
    }

    private void mount(String first, String second, String third, Path where) throws Exception {
        Command.run("mount", first, second, third, where.toString());
        mountedOver = where;
    }

    private void mount(String option, String source, Path where) throws Exception {
        Command.run("mount", option, source, where.toString());
        mountedOver = where;
    }
}
