package io.daxguard.support.index;

import static io.daxguard.support.index.LiveReverseMapContract.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.FileOwner;
import io.daxguard.spi.LinuxPath;
import io.daxguard.spi.Owner;
import io.daxguard.support.linux.Fiemap;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.support.linux.FilesystemChanges;
import io.daxguard.support.linux.NativeFile;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.Privileges;
import io.daxguard.testkit.ScratchFilesystem;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * After a few files changed, the question that needs them refreshes the index from the files fanotify named
 * ({@link IncrementalRefresh}), with no full walk, and the refreshed index is the one a full walk would build (issue
 * 14). Subclasses provide the filesystem; each test works in a directory of its own, made before the first build.
 */
@Tag("mount")
abstract class IncrementalRefreshContract {
    private static final System.Logger LOGGER = System.getLogger("test");
    private static int directories;
    private LiveReverseMap map;
    private Path directory;

    abstract ScratchFilesystem filesystem();

    @BeforeAll
    static void requireRoot() {
        Privileges.requireRootLoopAnd("mount");
    }

    @BeforeEach
    void freshDirectory() throws IOException {
        directory = Files.createDirectory(filesystem().path("incremental-" + (++directories)));
    }

    @AfterEach
    void closeMap() throws IOException {
        if (map != null) {
            map.close();
        }
    }

    private void buildMap() throws Exception {
        map = LiveReverseMap.start(filesystem().mountPointBytes(), ExtraExtentSource.NONE, LOGGER, p -> {
        });
        assertThat(map.awaitIndex(Duration.ofMinutes(5))).as("index built: %s", map.progress()).isTrue();
    }

    /** The files of {@link #changeAFewFiles}, by role. */
    private record Changed(Path created, Path grown, Path truncated, long deletedInode, FiemapExtent deletedExtent,
                           Path renamedFrom, Path renamedTo, Path linked, Path newLink) {
    }

    /** Builds the map over a directory of a few files, then writes, makes, grows, truncates, deletes, renames, links. */
    private Changed changeAFewFiles() throws Exception {
        Path kept = write(directory.resolve("kept"), 65536, 1);
        Path grown = write(directory.resolve("grown"), 4096, 2);
        Path truncated = write(directory.resolve("truncated"), 1 << 20, 3);
        Path deleted = write(directory.resolve("deleted"), 65536, 4);
        Path renamedFrom = write(directory.resolve("renamed-from"), 16384, 5);
        Path linked = write(directory.resolve("linked"), 8192, 6);
        buildMap();
        assertThat(kept).exists();
        long deletedInode = inodeOf(deleted);
        FiemapExtent deletedExtent = extentsOf(deleted).get(0);

        Path created = write(directory.resolve("created"), 16384, 7);
        write(grown, 1 << 20, 8);
        try (FileChannel channel = FileChannel.open(truncated, StandardOpenOption.WRITE)) {
            channel.truncate(4096);
            channel.force(true);
        }
        Files.delete(deleted);
        Path renamedTo = Files.move(renamedFrom, directory.resolve("renamed-to"));
        Path newLink = Files.createLink(directory.resolve("linked-too"), linked);
        return new Changed(created, grown, truncated, deletedInode, deletedExtent, renamedFrom, renamedTo, linked,
                newLink);
    }

    /** Asks about the first block of {@code file}, a question only a refreshed index answers. */
    private List<Long> askAboutTheFirstBlockOf(Path file) throws IOException {
        FiemapExtent extent = extentsOf(file).get(0);
        return fileOwnerInodes(map.ownersOfAllocated(extent.physical(), extent.physical() + 4096));
    }

    @Test
    void findsAFileMadeSinceTheBuildByAnIncrementalRefresh() throws Exception {
        Changed changed = changeAFewFiles();

        assertThat(askAboutTheFirstBlockOf(changed.created())).containsExactly(inodeOf(changed.created()));
        assertThat(map.rebuilds()).containsEntry(RebuildCause.INCREMENTAL, 1L)
                .containsEntry(RebuildCause.FILESYSTEM_CHANGED, 0L).containsEntry(RebuildCause.FIRST_BUILD, 1L);
    }

    @Test
    void findsTheBlocksAFileGrewIntoAfterAnIncrementalRefresh() throws Exception {
        Changed changed = changeAFewFiles();
        askAboutTheFirstBlockOf(changed.created());
        List<FiemapExtent> extents = extentsOf(changed.grown());
        FiemapExtent last = extents.get(extents.size() - 1);

        assertThat(fileOwnerInodes(map.ownersOfAllocated(last.physicalEnd() - 4096, last.physicalEnd())))
                .containsExactly(inodeOf(changed.grown()));
        assertThat(map.rebuilds()).containsEntry(RebuildCause.INCREMENTAL, 1L);
    }

    @Test
    void neverNamesADeletedFileAfterAnIncrementalRefresh() throws Exception {
        Changed changed = changeAFewFiles();
        askAboutTheFirstBlockOf(changed.created());
        FiemapExtent gone = changed.deletedExtent();

        assertThat(fileOwnerInodes(map.ownersOfAllocated(gone.physical(), gone.physical() + 4096)))
                .doesNotContain(changed.deletedInode());
        assertThat(map.index().orElseThrow().pathsOf(changed.deletedInode())).isEmpty();
        assertThat(map.rebuilds()).containsEntry(RebuildCause.INCREMENTAL, 1L);
    }

    @Test
    void namesARenamedFileUnderItsNewNameOnlyAndALinkedFileUnderBoth() throws Exception {
        Changed changed = changeAFewFiles();
        askAboutTheFirstBlockOf(changed.created());
        ExtentIndex index = map.index().orElseThrow();

        assertThat(index.pathsOf(inodeOf(changed.renamedTo()))).containsExactly(LinuxPath.of(changed.renamedTo()));
        assertThat(index.pathsOf(inodeOf(changed.linked()))).containsExactlyInAnyOrder(LinuxPath.of(changed.linked()),
                LinuxPath.of(changed.newLink()));
        assertThat(map.rebuilds()).containsEntry(RebuildCause.INCREMENTAL, 1L);
    }

    @Test
    void refreshesIntoTheIndexAFullBuildMakes() throws Exception {
        changeAFewFiles();
        askAboutTheFirstBlockOf(directory.resolve("created"));
        ExtentIndex refreshed = map.index().orElseThrow();

        ExtentIndex full = fullBuild();

        assertThat(map.rebuilds()).containsEntry(RebuildCause.INCREMENTAL, 1L);
        assertThat(contents(refreshed)).isEqualTo(contents(full));
    }

    private ExtentIndex fullBuild() throws IOException {
        return new ExtentIndexBuilder(filesystem().mountPointBytes(), ExtraExtentSource.NONE, () -> false,
                ExtentIndexBuilder.ProgressListener.NONE).build();
    }

    @Test
    void refreshesIncrementallyAgainAfterAnIncrementalRefresh() throws Exception {
        Changed changed = changeAFewFiles();
        askAboutTheFirstBlockOf(changed.created());
        Path later = write(directory.resolve("later"), 8192, 9);

        assertThat(askAboutTheFirstBlockOf(later)).containsExactly(inodeOf(later));
        assertThat(map.rebuilds()).containsEntry(RebuildCause.INCREMENTAL, 2L)
                .containsEntry(RebuildCause.FILESYSTEM_CHANGED, 0L);
        assertThat(contents(map.index().orElseThrow())).isEqualTo(contents(fullBuild()));
    }

    @Test
    void refreshesIntoTheIndexAFullBuildMakesAfterMovesAndLinksBetweenDirectories() throws Exception {
        Path here = Files.createDirectory(directory.resolve("here"));
        Path there = Files.createDirectory(directory.resolve("there"));
        Path moving = write(here.resolve("moving"), 16384, 13);
        Path linked = write(here.resolve("linked"), 8192, 14);
        Path replaced = write(there.resolve("replaced"), 4096, 15);
        buildMap();
        Path moved = Files.move(moving, there.resolve("moved"));
        Files.createLink(there.resolve("linked-there"), linked);
        Files.move(linked, there.resolve("replaced"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Path trigger = write(here.resolve("trigger"), 8192, 16);

        assertThat(askAboutTheFirstBlockOf(trigger)).containsExactly(inodeOf(trigger));
        assertThat(map.rebuilds()).containsEntry(RebuildCause.INCREMENTAL, 1L);
        ExtentIndex refreshed = map.index().orElseThrow();
        assertThat(refreshed.pathsOf(inodeOf(moved))).containsExactly(LinuxPath.of(moved));
        assertThat(refreshed.pathsOf(inodeOf(there.resolve("linked-there")))).containsExactlyInAnyOrder(
                LinuxPath.of(there.resolve("linked-there")), LinuxPath.of(replaced));
        assertThat(contents(refreshed)).isEqualTo(contents(fullBuild()));
    }

    @Test
    void aRefreshThatFindsNothingChangedSharesTheIndexRatherThanCopyingIt() throws Exception {
        write(directory.resolve("kept"), 65536, 1);
        LinuxPath root = filesystem().mountPointBytes();
        ExtentIndex built = new ExtentIndexBuilder(root, ExtraExtentSource.NONE, () -> false,
                ExtentIndexBuilder.ProgressListener.NONE).build();
        IncrementalRefresh.Base base = new IncrementalRefresh.Base(built, IncrementalRefresh.mountsBeneath(root, LOGGER));
        long started = System.nanoTime();

        ExtentIndex refreshed = IncrementalRefresh.attempt(base, new FilesystemChanges.ChangedFiles(0, 0, Set.of()),
                Set.of(), base.mountsBeneath(), ExtraExtentSource.NONE, () -> false, started, LOGGER);

        assertThat(refreshed).isNotNull().isNotSameAs(built);
        assertThat(refreshed.startedNanos()).isEqualTo(started);
        assertThat(refreshed.columns()).usingElementComparator((a, b) -> a == b ? 0 : 1)
                .containsExactlyElementsOf(built.columns());
    }

    @Test
    void rebuildsInFullWhenTooManyFilesChanged() throws Exception {
        buildMap();
        Path last = null;
        for (int i = 0; i <= IncrementalRefresh.MIN_BOUND; i++) {
            last = Files.write(directory.resolve("many-" + i), new byte[1]);
        }
        Files.write(last, new byte[4096]);

        assertThat(askAboutTheFirstBlockOf(last)).containsExactly(inodeOf(last));
        assertThat(map.rebuilds()).containsEntry(RebuildCause.FILESYSTEM_CHANGED, 1L)
                .containsEntry(RebuildCause.INCREMENTAL, 0L);
    }

    @Test
    void rebuildsInFullWhenADirectoryWasMade() throws Exception {
        buildMap();
        Path made = Files.createDirectory(directory.resolve("made"));
        Path inside = write(made.resolve("inside"), 16384, 10);

        assertThat(askAboutTheFirstBlockOf(inside)).containsExactly(inodeOf(inside));
        assertThat(map.index().orElseThrow().pathsOf(inodeOf(inside))).containsExactly(LinuxPath.of(inside));
        assertThat(map.rebuilds()).containsEntry(RebuildCause.FILESYSTEM_CHANGED, 1L)
                .containsEntry(RebuildCause.INCREMENTAL, 0L);
    }

    @Test
    void rebuildsInFullWhenAFilesystemWasMountedBelowTheRoot() throws Exception {
        Path covered = Files.createDirectory(directory.resolve("covered"));
        buildMap();
        Command.run("mount", "-t", "tmpfs", "none", covered.toString());
        try {
            Path late = write(directory.resolve("late"), 16384, 11);

            assertThat(askAboutTheFirstBlockOf(late)).containsExactly(inodeOf(late));
            assertThat(map.rebuilds()).containsEntry(RebuildCause.FILESYSTEM_CHANGED, 1L)
                    .containsEntry(RebuildCause.INCREMENTAL, 0L);
        } finally {
            Command.run("umount", covered.toString());
        }
    }

    @Test
    void refreshesIncrementallyAfterAMountElsewhere() throws Exception {
        buildMap();
        Path elsewhere = Files.createTempDirectory("daxguard-elsewhere-");
        try {
            Command.run("mount", "-t", "tmpfs", "none", elsewhere.toString());
            Command.run("umount", elsewhere.toString());
            Path late = write(directory.resolve("late"), 16384, 12);

            assertThat(askAboutTheFirstBlockOf(late)).containsExactly(inodeOf(late));
            assertThat(map.rebuilds()).containsEntry(RebuildCause.INCREMENTAL, 1L);
        } finally {
            Files.delete(elsewhere);
        }
    }

    /** Everything an index says, per inode: generation, names, extents; comparable between two indexes. */
    private static Map<Long, String> contents(ExtentIndex index) {
        Map<Long, List<String>> extents = new TreeMap<>();
        for (int i = 0; i < index.extentCount(); i++) {
            IndexedExtent extent = index.extentAt(i);
            extents.computeIfAbsent(extent.inode(), inode -> new ArrayList<>()).add(extent.logical() + "+"
                    + extent.length() + "@" + extent.physical() + "/" + extent.flags());
        }
        Map<Long, String> contents = new TreeMap<>();
        for (int f = 0; f < index.fileCount(); f++) {
            long inode = index.fileInode(f);
            TreeSet<String> paths = new TreeSet<>();
            index.pathsOf(inode).forEach(path -> paths.add(path.display()));
            contents.put(inode, "generation " + index.fileGeneration(f) + " names " + paths + " extents "
                    + new TreeSet<>(extents.getOrDefault(inode, List.of())));
        }
        return contents;
    }


    private static List<FiemapExtent> extentsOf(Path file) throws IOException {
        List<FiemapExtent> extents = new ArrayList<>();
        try (NativeFile open = NativeFile.openReadOnly(file)) {
            Fiemap.map(open, 0, Long.MAX_VALUE, Fiemap.FLAG_SYNC, 64, extents::add);
        }
        return extents;
    }

    private static long inodeOf(Path file) throws IOException {
        return (Long) Files.getAttribute(file, "unix:ino");
    }

    private static List<Long> fileOwnerInodes(List<Owner> owners) {
        return owners.stream().filter(FileOwner.class::isInstance).map(o -> ((FileOwner) o).inode()).toList();
    }
}
