package io.daxguard.agent.paths;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.LinuxPath;
import io.daxguard.support.linux.FileStatus;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.Privileges;
import io.daxguard.testkit.ScratchFilesystem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A background walk that nothing changed since vouches for its names (no statx per name), and stops vouching at the
 * first change of a name or of the mounts below the mount point, on a real XFS with fanotify.
 */
@Tag("mount")
class VouchedNamesTest {
    @RegisterExtension
    static final ScratchFilesystem XFS = ScratchFilesystem.xfs().mkfsOptions("-m", "rmapbt=1").build();
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** No second background walk during a test: what a question answers comes from the first walk or its own. */
    private static final Duration NO_REWALK = Duration.ofHours(1);

    @BeforeAll
    static void requireRoot() {
        Privileges.requireRootLoopAnd("mkfs.xfs");
    }

    @Test
    void aWalkNothingChangedSinceAnswersWithoutCheckingAName() throws Exception {
        Path file = fileIn("unchanged-" + System.nanoTime());
        FilePaths paths = new FilePaths(LinuxPath.of(XFS.mountPoint()));
        try (BackgroundNames names = new BackgroundNames(Duration.ofMillis(20), NO_REWALK)) {
            names.keep(paths);
            assertThat(paths.awaitWalks(1, WAIT)).as("the background walk").isTrue();

            Map<Long, List<String>> named = paths.pathsOf(List.of(inodeOf(file)));

            assertThat(named).containsEntry(inodeOf(file), List.of(relative(file)));
            assertThat(paths.namesChecked()).isZero();
        }
    }

    @Test
    void aRenameAfterTheWalkIsCheckedAndTheNewNameAnswered() throws Exception {
        Path file = fileIn("renamed-" + System.nanoTime());
        FilePaths paths = new FilePaths(LinuxPath.of(XFS.mountPoint()));
        try (BackgroundNames names = new BackgroundNames(Duration.ofMillis(20), NO_REWALK)) {
            names.keep(paths);
            assertThat(paths.awaitWalks(1, WAIT)).as("the background walk").isTrue();
            Path moved = Files.move(file, file.resolveSibling("new-name"));

            Map<Long, List<String>> named = paths.pathsOf(List.of(inodeOf(moved)));

            assertThat(named).containsEntry(inodeOf(moved), List.of(relative(moved)));
        }
    }

    @Test
    void aMountOverOneOfItsDirectoriesIsAChangeOfItsNames() throws Exception {
        Path file = fileIn("covered-" + System.nanoTime());
        long inode = inodeOf(file);
        FilePaths paths = new FilePaths(LinuxPath.of(XFS.mountPoint()));
        try (BackgroundNames names = new BackgroundNames(Duration.ofMillis(20), NO_REWALK)) {
            names.keep(paths);
            assertThat(paths.awaitWalks(1, WAIT)).as("the background walk").isTrue();
            Command.run("mount", "-t", "tmpfs", "none", file.getParent().toString());
            try {
                Map<Long, List<String>> named = paths.pathsOf(List.of(inode));

                assertThat(named.get(inode)).as("the walk's name now leads into the tmpfs").doesNotContain(
                        relative(file));
            } finally {
                Command.run("umount", file.getParent().toString());
            }
        }
    }

    @Test
    void aMountElsewhereLeavesTheWalkVouching() throws Exception {
        Path file = fileIn("elsewhere-" + System.nanoTime());
        Path outside = Files.createTempDirectory(Path.of("/var/tmp"), "vouched-names-");
        FilePaths paths = new FilePaths(LinuxPath.of(XFS.mountPoint()));
        try (BackgroundNames names = new BackgroundNames(Duration.ofMillis(20), NO_REWALK)) {
            names.keep(paths);
            assertThat(paths.awaitWalks(1, WAIT)).as("the background walk").isTrue();
            Command.run("mount", "-t", "tmpfs", "none", outside.toString());
            try {
                Map<Long, List<String>> named = paths.pathsOf(List.of(inodeOf(file)));

                assertThat(named).containsEntry(inodeOf(file), List.of(relative(file)));
                assertThat(paths.namesChecked()).isZero();
            } finally {
                Command.run("umount", outside.toString());
            }
        } finally {
            Files.deleteIfExists(outside);
        }
    }

    private static Path fileIn(String directory) throws IOException {
        Path file = XFS.path(directory).resolve("file");
        Files.createDirectories(file.getParent());
        Files.write(file, new byte[4096]);
        return file;
    }

    private static long inodeOf(Path file) throws IOException {
        return FileStatus.ofPath(file).inode();
    }

    private static String relative(Path file) {
        return "/" + XFS.mountPoint().relativize(file);
    }
}
