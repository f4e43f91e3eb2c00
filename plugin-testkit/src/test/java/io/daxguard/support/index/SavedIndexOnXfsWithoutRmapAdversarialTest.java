package io.daxguard.support.index;

import static io.daxguard.support.index.LiveReverseMapContract.write;
import static io.daxguard.support.index.SavedIndexAttacks.BLOCK;
import static io.daxguard.support.index.SavedIndexAttacks.askThroughTheWindow;
import static io.daxguard.support.index.SavedIndexAttacks.liveOwners;
import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.support.index.SavedIndexAttacks.Answers;
import io.daxguard.support.index.SavedIndexAttacks.BuildGate;
import io.daxguard.support.index.SavedIndexAttacks.RecordingLogger;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.Privileges;
import io.daxguard.testkit.ScratchFilesystem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The saved index of an XFS without rmapbt but with reflink (indexed by daxguard, blocks shared between files):
 * blocks that became shared while the agent was down, asked from the saved index before the catch-up build finished,
 * must name every file that maps them, as FIEMAP does.
 */
@Tag("mount")
class SavedIndexOnXfsWithoutRmapAdversarialTest {
    private final List<LiveReverseMap> maps = new ArrayList<>();
    private final ExecutorService asker = Executors.newSingleThreadExecutor();
    @TempDir
    Path state;

    @BeforeAll
    static void requireTools() {
        Privileges.requireRootLoopAnd("mkfs.xfs", "xfs_io", "blkid");
    }

    @AfterEach
    void closeMaps() throws IOException {
        asker.shutdownNow();
        for (LiveReverseMap map : maps) {
            map.close();
        }
    }

    private LiveReverseMap started(ScratchFilesystem filesystem, SavedIndexFile saved, ExtraExtentSource extras) {
        LiveReverseMap map = LiveReverseMap.start(filesystem.mountPointBytes(),
                IndexOptions.defaults().withExtras(extras).withSavedIndex(Optional.of(saved)), new RecordingLogger(),
                p -> {
                });
        maps.add(map);
        return map;
    }

    private static ScratchFilesystem xfs() throws IOException {
        return ScratchFilesystem.xfs().mkfsOptions("-m", "rmapbt=0,reflink=1").create();
    }

    private SavedIndexFile builtSavedAndClosed(ScratchFilesystem filesystem) throws Exception {
        String uuid = Command.run("blkid", "-s", "UUID", "-o", "value", filesystem.device().toString()).strip();
        SavedIndexFile saved = SavedIndexFile.in(state, uuid, filesystem.deviceNumber());
        LiveReverseMap map = started(filesystem, saved, ExtraExtentSource.NONE);
        assertThat(map.awaitIndex(Duration.ofMinutes(5))).as("built: %s", map.progress()).isTrue();
        map.close();
        assertThat(saved.path()).isRegularFile();
        return saved;
    }

    /** Restarts from {@code saved} with the catch-up build held, and asks for every block the files map now. */
    private Answers askedFromTheSavedIndex(ScratchFilesystem filesystem, SavedIndexFile saved, List<Path> files)
            throws Exception {
        BuildGate gate = new BuildGate();
        LiveReverseMap map = started(filesystem, saved, gate);
        assertThat(map.awaitIndex(Duration.ofMinutes(1))).isTrue();
        assertThat(map.index().orElseThrow().loaded()).isTrue();
        return askThroughTheWindow(map, List.copyOf(liveOwners(files).keySet()), gate, asker);
    }

    @Test
    void aReflinkCopyMadeWhileTheAgentWasDownIsNamedWithItsSource() throws Exception {
        try (ScratchFilesystem filesystem = xfs()) {
            Path source = write(filesystem.path("source"), 32 * BLOCK, 1);
            SavedIndexFile saved = builtSavedAndClosed(filesystem);
            Path copy = filesystem.path("copy");
            Command.run("cp", "--reflink=always", source.toString(), copy.toString());
            Command.run("sync");
            List<Path> files = List.of(source, copy);
            Map<Long, List<Long>> truth = liveOwners(files);
            assertThat(truth.values()).as("every block shared").allSatisfy(owners -> assertThat(owners).hasSize(2));

            answersAsTheLiveFilesDo(filesystem, saved, files, truth);
        }
    }

    @Test
    void aDedupeMadeWhileTheAgentWasDownIsNamedWithBothFiles() throws Exception {
        try (ScratchFilesystem filesystem = xfs()) {
            Path first = write(filesystem.path("first"), 32 * BLOCK, 2);
            Path second = filesystem.path("second");
            Files.copy(first, second);
            Command.run("sync");
            SavedIndexFile saved = builtSavedAndClosed(filesystem);
            Command.run("xfs_io", "-c", "dedupe " + first + " 0 0 " + 32 * BLOCK, second.toString());
            Command.run("sync");
            List<Path> files = List.of(first, second);
            Map<Long, List<Long>> truth = liveOwners(files);
            assertThat(truth.values()).as("every block shared").allSatisfy(owners -> assertThat(owners).hasSize(2));

            answersAsTheLiveFilesDo(filesystem, saved, files, truth);
        }
    }

    @Test
    void aCloneOverAnotherFileMadeWhileTheAgentWasDownIsNamedWithBothFiles() throws Exception {
        try (ScratchFilesystem filesystem = xfs()) {
            Path source = write(filesystem.path("source"), 16 * BLOCK, 3);
            Path destination = write(filesystem.path("destination"), 16 * BLOCK, 4);
            SavedIndexFile saved = builtSavedAndClosed(filesystem);
            Command.run("xfs_io", "-c", "reflink " + source + " 0 0 " + 16 * BLOCK, destination.toString());
            Command.run("sync");
            List<Path> files = List.of(source, destination);
            Map<Long, List<Long>> truth = liveOwners(files);

            answersAsTheLiveFilesDo(filesystem, saved, files, truth);
        }
    }

    @Test
    void aThirdSharerClonedWhileTheAgentWasDownFromBlocksAlreadySharedIsNamedWithTheOtherTwo() throws Exception {
        try (ScratchFilesystem filesystem = xfs()) {
            Path source = write(filesystem.path("source"), 32 * BLOCK, 5);
            Path copy = filesystem.path("copy");
            Command.run("cp", "--reflink=always", source.toString(), copy.toString());
            Command.run("sync");
            SavedIndexFile saved = builtSavedAndClosed(filesystem);
            Path third = filesystem.path("third");
            Command.run("cp", "--reflink=always", source.toString(), third.toString());
            Command.run("sync");
            List<Path> files = List.of(source, copy, third);
            Map<Long, List<Long>> truth = liveOwners(files);
            assertThat(truth.values()).as("every block shared by three").allSatisfy(owners -> assertThat(owners)
                    .hasSize(3));

            answersAsTheLiveFilesDo(filesystem, saved, files, truth);
        }
    }

    @Test
    void aFilesystemRemadeWithTheSameUuidWhileTheAgentWasDownIsNeverGivenTheOldFilesOwners() throws Exception {
        try (ScratchFilesystem filesystem = xfs()) {
            List<Path> old = new ArrayList<>();
            int[] oldBlocks = {3, 40, 7, 64, 1, 25};
            for (int i = 0; i < oldBlocks.length; i++) {
                old.add(write(filesystem.path("old" + i), oldBlocks[i] * BLOCK, i));
            }
            Command.run("sync");
            SavedIndexFile saved = builtSavedAndClosed(filesystem);
            String uuid = Command.run("blkid", "-s", "UUID", "-o", "value", filesystem.device().toString()).strip();
            String mountPoint = filesystem.mountPoint().toString();
            Command.run("umount", mountPoint);
            Command.run("mkfs.xfs", "-q", "-f", "-m", "rmapbt=0,reflink=1,uuid=" + uuid, filesystem.device().toString());
            Command.run("mount", "-t", "xfs", filesystem.device().toString(), mountPoint);
            List<Path> now = new ArrayList<>();
            int[] newBlocks = {50, 2, 33, 9, 70, 5, 17};
            for (int i = 0; i < newBlocks.length; i++) {
                now.add(write(filesystem.path("new" + i), newBlocks[i] * BLOCK, 100 + i));
            }
            Command.run("sync");
            Map<Long, List<Long>> truth = liveOwners(now);

            answersAsTheLiveFilesDo(filesystem, saved, now, truth);
        }
    }

    /** Every block of {@code files}, asked from the saved index ({@link #askedFromTheSavedIndex}), answered as {@code truth}. */
    private void answersAsTheLiveFilesDo(ScratchFilesystem filesystem, SavedIndexFile saved, List<Path> files,
                                         Map<Long, List<Long>> truth) throws Exception {
        Answers answers = askedFromTheSavedIndex(filesystem, saved, files);

        assertThat(answers.owners()).as("%d answered from the saved index", answers.beforeCatchUp()).isEqualTo(truth);
    }
}
