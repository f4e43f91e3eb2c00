package io.daxguard.support.index;

import static io.daxguard.support.index.LiveReverseMapContract.write;
import static io.daxguard.support.index.SavedIndexAttacks.extentsOf;
import static io.daxguard.support.index.SavedIndexAttacks.inodeOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.LinuxPath;
import io.daxguard.spi.Owner;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.testkit.Privileges;
import io.daxguard.testkit.ScratchFilesystem;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A {@link LiveReverseMap} that saves its index and starts from it, on a real filesystem: what changed while the
 * map was closed (the agent down) is found, never named wrongly, and a saved file that cannot be trusted is ignored.
 */
@Tag("mount")
abstract class SavedIndexContract {
    private static final String UUID = "5a7ed1d0-0000-4000-8000-000000000001";
    private static final String OTHER_UUID = "5a7ed1d0-0000-4000-8000-000000000002";
    private static final int BLOCK = 4096;
    private static int directories;
    private final List<LiveReverseMap> maps = new ArrayList<>();
    private final ExecutorService asker = Executors.newSingleThreadExecutor();
    @TempDir
    Path state;

    abstract ScratchFilesystem filesystem();

    @BeforeAll
    static void requireTools() {
        Privileges.requireRootLoopAnd();
    }

    @AfterEach
    void closeMaps() throws IOException {
        asker.shutdownNow();
        for (LiveReverseMap map : maps) {
            map.close();
        }
    }

    private SavedIndexFile saved() throws IOException {
        return SavedIndexFile.in(state, UUID, filesystem().deviceNumber());
    }

    private LiveReverseMap started(SavedIndexFile saved, ExtraExtentSource extras, System.Logger logger) {
        LiveReverseMap map = LiveReverseMap.start(filesystem().mountPointBytes(),
                IndexOptions.defaults().withExtras(extras).withSavedIndex(Optional.of(saved)), logger, p -> {
                });
        maps.add(map);
        return map;
    }

    /** Builds the index once, saves it (before the first build counts as done) and closes: the agent stops. */
    private void builtSavedAndClosed() throws Exception {
        LiveReverseMap map = started(saved(), ExtraExtentSource.NONE, new SavedIndexAttacks.RecordingLogger());
        assertThat(map.awaitIndex(Duration.ofMinutes(5))).as("built: %s", map.progress()).isTrue();
        map.close();
        assertThat(saved().path()).isRegularFile();
    }

    @Test
    void theSavedIndexReadsBackExtentForExtentAndNameForName() throws Exception {
        Path directory = freshDirectory();
        write(directory.resolve("a"), 3 * BLOCK, 1);
        write(Files.createDirectory(directory.resolve("sub")).resolve("b"), 40 * BLOCK, 2);
        LiveReverseMap map = started(saved(), ExtraExtentSource.NONE, new SavedIndexAttacks.RecordingLogger());
        assertThat(map.awaitIndex(Duration.ofMinutes(5))).isTrue();
        ExtentIndex built = map.index().orElseThrow();

        ExtentIndex loaded = saved().load(built.root(), System.nanoTime(), new SavedIndexAttacks.RecordingLogger()).orElseThrow();

        assertThat(loaded.loaded()).isTrue();
        assertThat(loaded.overlapping(0, Long.MAX_VALUE)).isEqualTo(built.overlapping(0, Long.MAX_VALUE));
        for (IndexedExtent extent : built.overlapping(0, Long.MAX_VALUE)) {
            assertThat(loaded.pathsOf(extent.inode())).isEqualTo(built.pathsOf(extent.inode()));
            assertThat(loaded.generationOf(extent.inode())).isEqualTo(built.generationOf(extent.inode()));
        }
        assertThat(loaded.memoryBytes()).isEqualTo(built.memoryBytes());
    }

    @Test
    void aSaveRemovesTheSavedIndexOfAnEarlierFilesystemOnTheSameDeviceAndKeepsOtherDevices() throws Exception {
        DeviceNumber device = filesystem().deviceNumber();
        Path remade = SavedIndexFile.in(state, OTHER_UUID, device).path();
        Path elsewhere = SavedIndexFile.in(state, OTHER_UUID, new DeviceNumber(device.major(), device.minor() + 1))
                .path();
        Files.write(remade, new byte[] {1});
        Files.write(elsewhere, new byte[] {1});

        builtSavedAndClosed();

        assertThat(remade).doesNotExist();
        assertThat(elsewhere).isRegularFile();
    }

    @Test
    void aRestartIsReadyFromTheSavedIndexWhileTheCatchUpBuildRuns() throws Exception {
        Path kept = write(freshDirectory().resolve("kept"), 16 * BLOCK, 3);
        builtSavedAndClosed();
        SavedIndexAttacks.BuildGate gate = new SavedIndexAttacks.BuildGate();

        LiveReverseMap map = started(saved(), gate, new SavedIndexAttacks.RecordingLogger());

        try {
            assertThat(map.awaitIndex(Duration.ofMinutes(1))).isTrue();
            assertThat(map.index().orElseThrow().loaded()).isTrue();
            assertThat(map.status().state()).isEqualTo(io.daxguard.spi.ReverseMapStatus.State.REBUILDING);
            assertThat(ownersOf(map, extentsOf(kept).get(0).physical())).containsExactly(inodeOf(kept));
        } finally {
            gate.open();
        }
    }

    @Test
    void whatChangedWhileTheAgentWasDownIsFoundAndNeverNamedWrongly() throws Exception {
        Path directory = freshDirectory();
        Path kept = write(directory.resolve("kept"), 16 * BLOCK, 4);
        Path grown = write(directory.resolve("grown"), 4 * BLOCK, 5);
        Path deleted = write(directory.resolve("deleted"), 64 * BLOCK, 6);
        Path renamed = write(directory.resolve("renamed"), 8 * BLOCK, 7);
        Path replaced = write(directory.resolve("replaced"), 32 * BLOCK, 8);
        builtSavedAndClosed();
        // While the agent is down.
        long deletedInode = inodeOf(deleted);
        long replacedInode = inodeOf(replaced);
        List<FiemapExtent> freed = new ArrayList<>(extentsOf(deleted));
        freed.addAll(extentsOf(replaced));
        Files.delete(deleted);
        Files.delete(replaced);
        write(grown, 256 * BLOCK, 9);
        Path renamedNow = Files.move(renamed, directory.resolve("renamed-now"));
        Path created = write(directory.resolve("created"), 96 * BLOCK, 10);
        write(replaced, 32 * BLOCK, 11);
        SavedIndexAttacks.BuildGate gate = new SavedIndexAttacks.BuildGate();
        LiveReverseMap map = started(saved(), gate, new SavedIndexAttacks.RecordingLogger());
        assertThat(map.awaitIndex(Duration.ofMinutes(1))).isTrue();

        // Asked while the saved index is current (the catch-up build held): a name that moved is not vouched for,
        // and a block of a file made while the agent was down waits for the catch-up build.
        assertThat(map.verifiedPaths(List.of(inodeOf(renamedNow)))).isEmpty();
        long createdBlock = extentsOf(created).get(0).physical();
        Thread[] askingThread = new Thread[1];
        Future<List<Long>> createdOwners = asker.submit(() -> {
            askingThread[0] = Thread.currentThread();
            return ownersOf(map, createdBlock);
        });
        awaitWaiting(askingThread);
        assertThat(map.index().orElseThrow().loaded()).isTrue();
        gate.open();
        assertThat(createdOwners.get(1, TimeUnit.MINUTES)).containsExactly(inodeOf(created));

        for (Path file : List.of(kept, grown, renamedNow, created, replaced)) {
            for (FiemapExtent extent : extentsOf(file)) {
                for (long block = extent.physical(); block < extent.physicalEnd(); block += BLOCK) {
                    assertThat(ownersOf(map, block)).as("block %d of %s", block, file).containsExactly(inodeOf(file));
                }
            }
        }
        List<Path> live = List.of(kept, grown, renamedNow, created, replaced);
        for (FiemapExtent extent : freed) {
            for (long block = extent.physical(); block < extent.physicalEnd(); block += BLOCK) {
                assertThat(ownersOf(map, block)).as("freed block %d (deleted inodes %d, %d)", block, deletedInode,
                        replacedInode).isEqualTo(liveOwnersOf(live, block));
            }
        }
        LinuxPath renamedName = LinuxPath.ofText("/" + directory.getFileName() + "/renamed-now");
        assertThat(map.verifiedPaths(List.of(inodeOf(renamedNow))))
                .hasValue(Map.of(inodeOf(renamedNow), List.of(renamedName)));
    }

    @Test
    void anIndexThatCannotBeSavedSaysSoInItsStatusLine() throws Exception {
        write(freshDirectory().resolve("file"), 8 * BLOCK, 13);
        SavedIndexFile file = saved();
        // A directory where the save writes its temporary file: the save fails, as on a full or read-only disk.
        Path inTheWay = file.path().resolveSibling("." + file.path().getFileName() + ".tmp");
        Files.createDirectories(inTheWay.resolve("not-empty"));
        try {
            LiveReverseMap map = started(file, ExtraExtentSource.NONE, new SavedIndexAttacks.RecordingLogger());

            assertThat(map.awaitIndex(Duration.ofMinutes(5))).as("built: %s", map.progress()).isTrue();
            assertThat(map.status().describe()).startsWith("ready: ").contains("not saved to " + file.path())
                    .endsWith("the next start builds it in full)");
        } finally {
            Files.delete(inTheWay.resolve("not-empty"));
            Files.delete(inTheWay);
        }
    }

    /** Ways a saved index can be unusable; each must cost a full build and one log line, nothing else. */
    enum Damage {
        FLIPPED_BYTE, TRUNCATED, EMPTY, OTHER_FORMAT_VERSION, OTHER_FILESYSTEM, OTHER_DEVICE, TOO_LARGE, SYMBOLIC_LINK
    }

    @ParameterizedTest
    @EnumSource(Damage.class)
    void anUnusableSavedIndexIsIgnoredWithOneLogLineAndAFullBuildRuns(Damage damage) throws Exception {
        Path file = write(freshDirectory().resolve("file"), 8 * BLOCK, 12);
        builtSavedAndClosed();
        SavedIndexFile damaged = damaged(damage);
        SavedIndexAttacks.RecordingLogger log = new SavedIndexAttacks.RecordingLogger();

        LiveReverseMap map = started(damaged, ExtraExtentSource.NONE, log);

        assertThat(map.awaitIndex(Duration.ofMinutes(5))).as("built: %s", map.progress()).isTrue();
        assertThat(map.index().orElseThrow().loaded()).isFalse();
        assertThat(ownersOf(map, extentsOf(file).get(0).physical())).containsExactly(inodeOf(file));
        assertThat(log.lines(System.Logger.Level.WARNING)).singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .contains("ignoring the saved reverse-map index");
        assertThat(damaged.load(filesystem().mountPointBytes(), System.nanoTime(), log)).as("saved again").isPresent();
    }

    private SavedIndexFile damaged(Damage damage) throws IOException {
        Path file = saved().path();
        DeviceNumber device = filesystem().deviceNumber();
        switch (damage) {
            case FLIPPED_BYTE -> {
                try (RandomAccessFile raw = new RandomAccessFile(file.toFile(), "rw")) {
                    long at = raw.length() / 2;
                    raw.seek(at);
                    int value = raw.read();
                    raw.seek(at);
                    raw.write(value ^ 0x10);
                }
            }
            case TRUNCATED -> {
                try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    channel.truncate(channel.size() - 100);
                }
            }
            case EMPTY -> Files.write(file, new byte[0]);
            case OTHER_FORMAT_VERSION -> {
                try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    channel.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN)
                            .putInt(0, SavedIndexFormat.VERSION + 1), Long.BYTES);
                }
            }
            case OTHER_FILESYSTEM -> {
                SavedIndexFile other = SavedIndexFile.in(state, OTHER_UUID, device);
                Files.move(file, other.path(), StandardCopyOption.REPLACE_EXISTING);
                return other;
            }
            case OTHER_DEVICE -> {
                SavedIndexFile other = SavedIndexFile.in(state, UUID, new DeviceNumber(device.major(),
                        device.minor() + 1000));
                Files.move(file, other.path(), StandardCopyOption.REPLACE_EXISTING);
                return other;
            }
            case TOO_LARGE -> {
                try (RandomAccessFile raw = new RandomAccessFile(file.toFile(), "rw")) {
                    raw.setLength(SavedIndexFile.MAX_BYTES + 1); // sparse: costs no disk
                }
            }
            case SYMBOLIC_LINK -> {
                Path real = state.resolve("real.bin");
                Files.move(file, real);
                Files.createSymbolicLink(file, real);
            }
            default -> throw new AssertionError(damage);
        }
        return saved();
    }

    /** The inode of the file among {@code files} that maps {@code block} now, if one does (FIEMAP). */
    private static List<Long> liveOwnersOf(List<Path> files, long block) throws IOException {
        List<Long> owners = new ArrayList<>();
        for (Path file : files) {
            for (FiemapExtent extent : extentsOf(file)) {
                if (extent.physical() <= block && block < extent.physicalEnd()) {
                    owners.add(inodeOf(file));
                }
            }
        }
        return owners;
    }

    /** The inodes the map names for one block. */
    private static List<Long> ownersOf(LiveReverseMap map, long block) throws IOException {
        List<Owner> owners = map.ownersOfAllocated(block, block + BLOCK);
        return owners.stream().filter(FileOwner.class::isInstance).map(o -> ((FileOwner) o).inode()).toList();
    }

    private Path freshDirectory() throws IOException {
        return Files.createDirectory(filesystem().path("saved" + (++directories)));
    }


    /** Until the thread in {@code holder} waits (for the catch-up build), bounded. */
    private static void awaitWaiting(Thread[] holder) {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (holder[0] == null || holder[0].getState() != Thread.State.WAITING) {
            assertThat(System.nanoTime()).as("the question waits for the catch-up build").isLessThan(deadline);
            Thread.onSpinWait();
        }
    }
}
