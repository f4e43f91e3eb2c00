package io.daxguard.support.index;

import static io.daxguard.support.index.LiveReverseMapContract.write;
import static io.daxguard.support.index.SavedIndexAttacks.BLOCK;
import static io.daxguard.support.index.SavedIndexAttacks.askThroughTheWindow;
import static io.daxguard.support.index.SavedIndexAttacks.extentsOf;
import static io.daxguard.support.index.SavedIndexAttacks.inodeOf;
import static io.daxguard.support.index.SavedIndexAttacks.liveOwners;
import static io.daxguard.support.index.SavedIndexAttacks.ownersOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.LinuxPath;
import io.daxguard.support.index.SavedIndexAttacks.Answers;
import io.daxguard.support.index.SavedIndexAttacks.BuildGate;
import io.daxguard.support.index.SavedIndexAttacks.RecordingLogger;
import io.daxguard.testkit.ByteNames;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.Privileges;
import io.daxguard.testkit.ScratchFilesystem;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
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
 * The saved index attacked as an adversary or a new user would: the filesystem re-made while the agent is down, a
 * save killed half-way, a state directory that is full, read-only or holds a directory where the index goes, and
 * names that are not UTF-8. Each answer, also one given from the saved index before the catch-up build finished, is
 * compared with what FIEMAP says now.
 */
@Tag("mount")
class SavedIndexOnExt4AdversarialTest {
    private final List<LiveReverseMap> maps = new ArrayList<>();
    private final ExecutorService asker = Executors.newSingleThreadExecutor();
    @TempDir
    Path temporary;

    @BeforeAll
    static void requireTools() {
        Privileges.requireRootLoopAnd("mkfs.ext4", "blkid");
    }

    @AfterEach
    void closeMaps() throws IOException {
        asker.shutdownNow();
        for (LiveReverseMap map : maps) {
            map.close();
        }
    }

    private LiveReverseMap started(ScratchFilesystem filesystem, SavedIndexFile saved, ExtraExtentSource extras,
                                   System.Logger logger) {
        LiveReverseMap map = LiveReverseMap.start(filesystem.mountPointBytes(),
                IndexOptions.defaults().withExtras(extras).withSavedIndex(Optional.of(saved)), logger, p -> {
                });
        maps.add(map);
        return map;
    }

    /** Builds, saves and closes, as an agent that stops. */
    private void builtSavedAndClosed(ScratchFilesystem filesystem, SavedIndexFile saved) throws Exception {
        LiveReverseMap map = started(filesystem, saved, ExtraExtentSource.NONE, new RecordingLogger());
        assertThat(map.awaitIndex(Duration.ofMinutes(5))).as("built: %s", map.progress()).isTrue();
        map.close();
        assertThat(saved.path()).isRegularFile();
    }

    private static ScratchFilesystem ext4() throws IOException {
        return ScratchFilesystem.ext4().mkfsOptions("-b", "4096").create();
    }

    private static String uuidOf(ScratchFilesystem filesystem) throws IOException {
        return Command.run("blkid", "-s", "UUID", "-o", "value", filesystem.device().toString()).strip();
    }

    /** Files of the sizes given, in blocks, named {@code prefix0, prefix1, ...} in the root, each synced. */
    private static List<Path> files(ScratchFilesystem filesystem, String prefix, int... blocks) throws IOException {
        List<Path> made = new ArrayList<>();
        for (int i = 0; i < blocks.length; i++) {
            made.add(write(filesystem.path(prefix + i), blocks[i] * BLOCK, 31L * i + blocks[i]));
        }
        return made;
    }

    @Test
    void aFilesystemRemadeWithTheSameUuidWhileTheAgentWasDownIsNeverGivenTheOldFilesOwners() throws Exception {
        try (ScratchFilesystem filesystem = ext4()) {
            String uuid = uuidOf(filesystem);
            SavedIndexFile saved = SavedIndexFile.in(temporary, uuid, filesystem.deviceNumber());
            // Inode numbers come back in the same order after mkfs; the sizes differ, so each number maps other blocks.
            files(filesystem, "old", 3, 40, 7, 64, 1, 25, 12, 90);
            builtSavedAndClosed(filesystem, saved);
            // While the agent is down: the same device re-made with the same UUID (mkfs -U), other files written.
            String mountPoint = filesystem.mountPoint().toString();
            Command.run("umount", mountPoint);
            Command.run("mkfs.ext4", "-q", "-F", "-b", "4096", "-U", uuid, filesystem.device().toString());
            Command.run("mount", "-t", "ext4", filesystem.device().toString(), mountPoint);
            assertThat(uuidOf(filesystem)).isEqualTo(uuid);
            List<Path> now = files(filesystem, "new", 50, 2, 33, 9, 70, 5, 17, 44, 8);
            Map<Long, List<Long>> truth = liveOwners(now);
            BuildGate gate = new BuildGate();
            RecordingLogger log = new RecordingLogger();

            LiveReverseMap map = started(filesystem, saved, gate, log);
            assertThat(map.awaitIndex(Duration.ofMinutes(1))).isTrue();
            assertThat(map.index().orElseThrow().loaded()).as("the old filesystem's index is loaded: same UUID and"
                    + " device").isTrue();
            Answers answers = askThroughTheWindow(map, List.copyOf(truth.keySet()), gate, asker);

            assertThat(answers.owners()).as("owners, %d answered from the saved index", answers.beforeCatchUp())
                    .isEqualTo(truth);
            for (Path file : now) {
                LinuxPath name = LinuxPath.ofText("/" + file.getFileName());
                assertThat(map.verifiedPaths(List.of(inodeOf(file)))).as("names of %s", file)
                        .hasValue(Map.of(inodeOf(file), List.of(name)));
            }
        }
    }

    @Test
    void aNameThatIsNotUtf8IsNamedByItsExactBytesAfterARestartFromTheSavedIndex() throws Exception {
        try (ScratchFilesystem filesystem = ext4()) {
            SavedIndexFile saved = SavedIndexFile.in(temporary, uuidOf(filesystem), filesystem.deviceNumber());
            Files.createDirectory(filesystem.path("dir"));
            byte[] bytes = {'c', 'a', 'f', (byte) 0xe9, '-', (byte) 0xff, (byte) 0x80, (byte) 0xc3};
            Path plain = write(filesystem.path("dir/plain"), 16 * BLOCK, 7);
            long inode = inodeOf(plain);
            long block = extentsOf(plain).get(0).physical();
            ByteNames.rename(plain, filesystem.mountPointBytes().join(SavedIndexAttacks.relative("dir", bytes)));
            builtSavedAndClosed(filesystem, saved);
            BuildGate gate = new BuildGate();

            LiveReverseMap map = started(filesystem, saved, gate, new RecordingLogger());
            try {
                assertThat(map.awaitIndex(Duration.ofMinutes(1))).isTrue();
                assertThat(map.index().orElseThrow().loaded()).isTrue();

                assertThat(ownersOf(map, block)).containsExactly(inode);
                Optional<Map<Long, List<LinuxPath>>> names = map.verifiedPaths(List.of(inode));
                assertThat(names).as("vouched for from the saved index").isPresent();
                assertThat(names.orElseThrow().get(inode)).singleElement()
                        .satisfies(name -> assertThat(name.bytes()).as(Arrays.toString(name.bytes()))
                                .isEqualTo(SavedIndexAttacks.relative("dir", bytes).bytes()));
            } finally {
                gate.open();
            }
        }
    }

    /**
     * A kill -9 during a save leaves the old saved index and a temporary file cut anywhere: at a start, the agent uses
     * the old index (the temporary file is not read) and its next save replaces the leftover.
     */
    @Test
    void aSaveKilledHalfWayLeavesTheOldIndexUsableAndItsTemporaryFileIsReplaced() throws Exception {
        try (ScratchFilesystem filesystem = ext4()) {
            SavedIndexFile saved = SavedIndexFile.in(temporary, uuidOf(filesystem), filesystem.deviceNumber());
            List<Path> before = files(filesystem, "before", 4, 8, 16);
            builtSavedAndClosed(filesystem, saved);
            byte[] old = Files.readAllBytes(saved.path());
            List<Path> after = files(filesystem, "after", 30, 2);
            LiveReverseMap second = started(filesystem, saved, ExtraExtentSource.NONE, new RecordingLogger());
            assertThat(second.awaitIndex(Duration.ofMinutes(1))).isTrue();
            second.close();
            byte[] newer = Files.readAllBytes(saved.path());
            // The state a kill -9 in the middle of the second save leaves: the old index, the new one cut short.
            Path leftover = temporary.resolve("." + saved.path().getFileName() + ".tmp");
            Files.write(saved.path(), old);
            Files.write(leftover, Arrays.copyOf(newer, newer.length / 2));
            List<Path> all = new ArrayList<>(before);
            all.addAll(after);
            BuildGate gate = new BuildGate();
            RecordingLogger log = new RecordingLogger();

            LiveReverseMap map = started(filesystem, saved, gate, log);
            assertThat(map.awaitIndex(Duration.ofMinutes(1))).isTrue();
            assertThat(map.index().orElseThrow().loaded()).isTrue();
            Map<Long, List<Long>> truth = liveOwners(all);
            Answers answers = askThroughTheWindow(map, List.copyOf(truth.keySet()), gate, asker);
            assertThat(answers.owners()).isEqualTo(truth);
            awaitSaved(map, saved, old);

            assertThat(leftover).doesNotExist();
            assertThat(log.lines(System.Logger.Level.WARNING)).isEmpty();
        }
    }

    @Test
    void aFullStateDirectoryCostsOneLogLineNamingTheFileAndKeepsTheOldIndexAndTheLedger() throws Exception {
        Path state = Files.createDirectory(temporary.resolve("state"));
        Command.run("mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "daxguard-test-state", state.toString());
        try (ScratchFilesystem filesystem = ext4()) {
            SavedIndexFile saved = SavedIndexFile.in(state, uuidOf(filesystem), filesystem.deviceNumber());
            List<Path> before = files(filesystem, "before", 4, 8, 16);
            builtSavedAndClosed(filesystem, saved);
            byte[] old = Files.readAllBytes(saved.path());
            byte[] ledger = fillWithALedger(state);
            List<Path> all = new ArrayList<>(before);
            all.addAll(files(filesystem, "after", 30, 2, 11));
            RecordingLogger log = new RecordingLogger();

            LiveReverseMap map = started(filesystem, saved, ExtraExtentSource.NONE, log);
            assertThat(map.awaitIndex(Duration.ofMinutes(1))).isTrue();
            awaitAWarning(map, log);

            Map<Long, List<Long>> truth = liveOwners(all);
            for (long block : truth.keySet()) {
                assertThat(ownersOf(map, block)).as("block %d", block).isEqualTo(truth.get(block));
            }
            assertThat(log.lines(System.Logger.Level.WARNING)).singleElement(
                    org.assertj.core.api.InstanceOfAssertFactories.STRING)
                    .contains("could not save", saved.path().toString(), "No space left");
            assertThat(Files.readAllBytes(saved.path())).as("the old saved index").isEqualTo(old);
            assertThat(Files.readAllBytes(state.resolve("ledger.db"))).as("the ledger").isEqualTo(ledger);
            try (var listing = Files.list(state)) {
                assertThat(listing.map(p -> p.getFileName().toString()).toList())
                        .containsExactlyInAnyOrder("ledger.db", saved.path().getFileName().toString());
            }
        } finally {
            Command.run("umount", state.toString());
        }
    }

    @Test
    void aReadOnlyStateDirectoryCostsOneLogLineNamingTheFileAndTheOldIndexStillLoads() throws Exception {
        Path state = Files.createDirectory(temporary.resolve("state"));
        Command.run("mount", "-t", "tmpfs", "-o", "size=4m,mode=0700", "daxguard-test-state", state.toString());
        try (ScratchFilesystem filesystem = ext4()) {
            SavedIndexFile saved = SavedIndexFile.in(state, uuidOf(filesystem), filesystem.deviceNumber());
            List<Path> all = new ArrayList<>(files(filesystem, "before", 4, 8, 16));
            builtSavedAndClosed(filesystem, saved);
            byte[] old = Files.readAllBytes(saved.path());
            Command.run("mount", "-o", "remount,ro", state.toString());
            all.addAll(files(filesystem, "after", 30, 2, 11));
            RecordingLogger log = new RecordingLogger();
            BuildGate gate = new BuildGate();

            LiveReverseMap map = started(filesystem, saved, gate, log);
            assertThat(map.awaitIndex(Duration.ofMinutes(1))).isTrue();
            assertThat(map.index().orElseThrow().loaded()).as("loaded from a read-only directory").isTrue();
            Map<Long, List<Long>> truth = liveOwners(all);
            Answers answers = askThroughTheWindow(map, List.copyOf(truth.keySet()), gate, asker);
            awaitAWarning(map, log);

            assertThat(answers.owners()).isEqualTo(truth);
            assertThat(log.lines(System.Logger.Level.WARNING)).singleElement(
                    org.assertj.core.api.InstanceOfAssertFactories.STRING)
                    .contains("could not save", saved.path().toString(), "Read-only");
            assertThat(Files.readAllBytes(saved.path())).isEqualTo(old);
        } finally {
            Command.run("umount", state.toString());
        }
    }

    @Test
    void aDirectoryWhereTheSavedIndexGoesIsNamedAtLoadAndAtSaveAndTheMapAnswersRight() throws Exception {
        try (ScratchFilesystem filesystem = ext4()) {
            SavedIndexFile saved = SavedIndexFile.in(temporary, uuidOf(filesystem), filesystem.deviceNumber());
            List<Path> all = files(filesystem, "file", 4, 8, 16);
            Files.createDirectory(saved.path());
            Files.write(saved.path().resolve("kept"), new byte[] {42});
            RecordingLogger log = new RecordingLogger();

            LiveReverseMap map = started(filesystem, saved, ExtraExtentSource.NONE, log);
            assertThat(map.awaitIndex(Duration.ofMinutes(1))).isTrue();
            long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            while (log.lines(System.Logger.Level.WARNING).size() < 2) {
                assertThat(System.nanoTime()).as("two warnings: %s", log.lines(System.Logger.Level.WARNING))
                        .isLessThan(deadline);
                Thread.onSpinWait();
            }

            Map<Long, List<Long>> truth = liveOwners(all);
            for (long block : truth.keySet()) {
                assertThat(ownersOf(map, block)).as("block %d", block).isEqualTo(truth.get(block));
            }
            assertThat(log.lines(System.Logger.Level.WARNING)).satisfiesExactly(
                    load -> assertThat(load).contains("ignoring", saved.path().toString(), "not a regular file"),
                    save -> assertThat(save).contains("could not save", saved.path().toString()));
            assertThat(saved.path().resolve("kept")).hasBinaryContent(new byte[] {42});
        }
    }

    /** Writes {@code ledger.db} until the directory is full; returns what it holds. */
    private static byte[] fillWithALedger(Path state) throws IOException {
        Path ledger = state.resolve("ledger.db");
        byte[] page = new byte[BLOCK];
        Arrays.fill(page, (byte) 'L');
        try (FileChannel channel = FileChannel.open(ledger, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            while (true) {
                channel.write(java.nio.ByteBuffer.wrap(page));
            }
        } catch (IOException full) {
            assertThat(full.getMessage()).contains("No space left");
        }
        return Files.readAllBytes(ledger);
    }

    /** Until the map's build after a start has saved (the file differs from {@code old}), bounded. */
    private static void awaitSaved(LiveReverseMap map, SavedIndexFile saved, byte[] old) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (!Files.exists(saved.path()) || Arrays.equals(Files.readAllBytes(saved.path()), old)) {
            assertThat(System.nanoTime()).as("saved: %s", map.progress()).isLessThan(deadline);
            Thread.onSpinWait();
        }
    }

    /** Until the map has logged a warning (its save failed), bounded. */
    private static void awaitAWarning(LiveReverseMap map, RecordingLogger log) {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (log.lines(System.Logger.Level.WARNING).isEmpty()) {
            assertThat(System.nanoTime()).as("a warning: %s", map.progress()).isLessThan(deadline);
            Thread.onSpinWait();
        }
    }

    /**
     * While the agent was down, a directory of the indexed name {@code /d/f} was renamed to {@code d2} and a symbolic
     * link {@code d -> d2} put in its place: {@code /d/f} still leads to the file, through the link, but is not one of
     * its names ({@code /d2/f} is). Names vouched for from the saved index must be the file's links.
     */
    @Test
    void aNameThatNowLeadsToTheFileOnlyThroughASymbolicLinkIsNotVouchedFor() throws Exception {
        try (ScratchFilesystem filesystem = ext4()) {
            SavedIndexFile saved = SavedIndexFile.in(temporary, uuidOf(filesystem), filesystem.deviceNumber());
            Path file = write(Files.createDirectory(filesystem.path("d")).resolve("f"), 8 * BLOCK, 3);
            long inode = inodeOf(file);
            builtSavedAndClosed(filesystem, saved);
            Files.move(filesystem.path("d"), filesystem.path("d2"));
            Files.createSymbolicLink(filesystem.path("d"), Path.of("d2"));
            BuildGate gate = new BuildGate();

            LiveReverseMap map = started(filesystem, saved, gate, new RecordingLogger());
            try {
                assertThat(map.awaitIndex(Duration.ofMinutes(1))).isTrue();
                assertThat(map.index().orElseThrow().loaded()).isTrue();

                Optional<Map<Long, List<LinuxPath>>> names = map.verifiedPaths(List.of(inode));
                assertThat(names).as("vouched for: %s", names)
                        .satisfiesAnyOf(none -> assertThat(none).isEmpty(),
                                some -> assertThat(some).hasValue(Map.of(inode, List.of(LinuxPath.ofText("/d2/f")))));
            } finally {
                gate.open();
            }
        }
    }

    /** A saved index of another owner and mode (restored from a backup, say) only proposes: every answer is right. */
    @Test
    void aSavedIndexOfAnotherOwnerAndModeNeverGivesAWrongOwner() throws Exception {
        try (ScratchFilesystem filesystem = ext4()) {
            SavedIndexFile saved = SavedIndexFile.in(temporary, uuidOf(filesystem), filesystem.deviceNumber());
            List<Path> before = files(filesystem, "before", 6, 9, 20);
            builtSavedAndClosed(filesystem, saved);
            Command.run("chown", "12345:12345", saved.path().toString());
            Command.run("chmod", "0666", saved.path().toString());
            for (Path file : before) {
                Files.delete(file);
            }
            List<Path> now = files(filesystem, "now", 20, 9, 6, 3);
            Map<Long, List<Long>> truth = liveOwners(now);
            BuildGate gate = new BuildGate();

            LiveReverseMap map = started(filesystem, saved, gate, new RecordingLogger());
            assertThat(map.awaitIndex(Duration.ofMinutes(1))).isTrue();
            Answers answers = askThroughTheWindow(map, List.copyOf(truth.keySet()), gate, asker);

            assertThat(answers.owners()).isEqualTo(truth);
        }
    }
}
