package io.daxguard.support.index;

import io.daxguard.testkit.OpenDescriptors;
import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.FileOwner;
import io.daxguard.spi.LinuxPath;
import io.daxguard.testkit.ByteNames;
import io.daxguard.spi.Owner;
import io.daxguard.support.linux.Fiemap;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.support.linux.NativeFile;
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
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What any filesystem without a reverse map gets from {@link LiveReverseMap}, checked on a real one.
 * Subclasses provide the filesystem; each test works in a directory of its own.
 */
@Tag("mount")
abstract class LiveReverseMapContract {
    private static final System.Logger LOGGER = System.getLogger("test");
    private final List<LiveReverseMap> maps = new ArrayList<>();
    private static int directories;

    abstract ScratchFilesystem filesystem();

    @BeforeAll
    static void requireTools() {
        Privileges.requireRootLoopAnd("fallocate");
    }

    @AfterEach
    void closeMaps() throws IOException {
        for (LiveReverseMap map : maps) {
            map.close();
        }
    }

    Path freshDirectory() throws IOException {
        return Files.createDirectory(filesystem().path("t" + (++directories)));
    }

    LiveReverseMap builtMap() throws Exception {
        LiveReverseMap map = LiveReverseMap.start(filesystem().mountPointBytes(), ExtraExtentSource.NONE, LOGGER,
                p -> {
                });
        maps.add(map);
        assertThat(map.awaitIndex(Duration.ofMinutes(5))).as("index built: %s", map.progress()).isTrue();
        return map;
    }

    static Path write(Path file, int bytes, long seed) throws IOException {
        byte[] data = new byte[bytes];
        new Random(seed).nextBytes(data);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            channel.write(ByteBuffer.wrap(data));
            channel.force(true);
        }
        return file;
    }

    static List<FiemapExtent> extentsOf(Path file) throws IOException {
        List<FiemapExtent> extents = new ArrayList<>();
        try (NativeFile open = NativeFile.openReadOnly(file)) {
            Fiemap.map(open, 0, Long.MAX_VALUE, 0, 64, extent -> extents.add(extent));
        }
        return extents;
    }

    static long inodeOf(Path file) throws IOException {
        return (Long) Files.getAttribute(file, "unix:ino");
    }

    static void truncateToZero(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(0);
            channel.force(true);
        }
    }

    /** The inodes the map names for the first block of {@code extent}. */
    static List<Long> blockOwners(LiveReverseMap map, FiemapExtent extent) throws IOException {
        return fileOwnerInodes(map.ownersOfAllocated(extent.physical(), extent.physical() + 4096));
    }

    static List<Long> fileOwnerInodes(List<Owner> owners) {
        return owners.stream().filter(FileOwner.class::isInstance).map(o -> ((FileOwner) o).inode()).toList();
    }

    @Test
    void namesTheOwnerOfASmallFilesBlock() throws Exception {
        Path file = write(freshDirectory().resolve("small"), 4096, 1);
        LiveReverseMap map = builtMap();
        FiemapExtent extent = extentsOf(file).get(0);

        List<Owner> owners = map.ownersOfAllocated(extent.physical(), extent.physical() + 4096);

        assertThat(owners).containsExactly(new FileOwner(inodeOf(file), map.index().orElseThrow()
                .generationOf(inodeOf(file)).orElseThrow(), io.daxguard.spi.Fork.DATA, 0, extent.physical(), 4096,
                false, false));
    }

    @Test
    void keepsNoDescriptorOnTheMountPointBetweenQueries() throws Exception {
        Path file = write(freshDirectory().resolve("unmountable"), 4096, 11);
        LiveReverseMap map = builtMap();
        FiemapExtent extent = extentsOf(file).get(0);
        map.ownersOfAllocated(extent.physical(), extent.physical() + 4096);

        assertThat(OpenDescriptors.targets()).doesNotContain(filesystem().mountPoint().toString());
    }


    @Test
    void givesTheFileOffsetOfABlockInsideALargeFile() throws Exception {
        Path file = write(freshDirectory().resolve("large"), 8 << 20, 2);
        LiveReverseMap map = builtMap();
        FiemapExtent extent = extentsOf(file).get(0);
        long block = extent.physical() + 5 * 4096;

        List<Owner> owners = map.ownersOfAllocated(block, block + 4096);

        assertThat(owners).singleElement().isInstanceOfSatisfying(FileOwner.class,
                owner -> assertThat(owner.fileOffset()).isEqualTo(extent.logical() + 5 * 4096));
    }

    @Test
    void namesEveryOwnerOfARangeSpanningTwoFiles() throws Exception {
        Path directory = freshDirectory();
        Path first = write(directory.resolve("first"), 8192, 3);
        Path second = write(directory.resolve("second"), 8192, 4);
        LiveReverseMap map = builtMap();
        FiemapExtent a = extentsOf(first).get(0);
        FiemapExtent b = extentsOf(second).get(0);
        long from = Math.min(a.physical(), b.physical());
        long to = Math.max(a.physicalEnd(), b.physicalEnd());

        assertThat(fileOwnerInodes(map.ownersOfAllocated(from, to)))
                .contains(inodeOf(first), inodeOf(second));
    }

    @Test
    void findsAFileWrittenAfterTheIndexWasBuilt() throws Exception {
        Path directory = freshDirectory();
        LiveReverseMap map = builtMap();
        Path late = write(directory.resolve("late"), 16384, 5);
        FiemapExtent extent = extentsOf(late).get(0);

        assertThat(blockOwners(map, extent)).containsExactly(inodeOf(late));
    }

    @Test
    void findsTheBlocksAFileGrewIntoAfterTheIndexWasBuilt() throws Exception {
        Path file = write(freshDirectory().resolve("growing"), 4096, 6);
        LiveReverseMap map = builtMap();
        write(file, 1 << 20, 7);
        List<FiemapExtent> extents = extentsOf(file);
        FiemapExtent last = extents.get(extents.size() - 1);

        assertThat(fileOwnerInodes(map.ownersOfAllocated(last.physicalEnd() - 4096, last.physicalEnd())))
                .containsExactly(inodeOf(file));
    }

    @Test
    void neverNamesAFileForBlocksItNoLongerHas() throws Exception {
        Path file = write(freshDirectory().resolve("truncated"), 1 << 20, 8);
        LiveReverseMap map = builtMap();
        FiemapExtent extent = extentsOf(file).get(0);
        truncateToZero(file);

        assertThat(blockOwners(map, extent)).doesNotContain(inodeOf(file));
    }

    @Test
    void neverNamesADeletedFile() throws Exception {
        Path file = write(freshDirectory().resolve("deleted"), 65536, 9);
        LiveReverseMap map = builtMap();
        FiemapExtent extent = extentsOf(file).get(0);
        long inode = inodeOf(file);
        Files.delete(file);

        assertThat(blockOwners(map, extent)).doesNotContain(inode);
    }

    @Test
    void givesEveryHardLinkOfAFile() throws Exception {
        Path directory = freshDirectory();
        Path file = write(directory.resolve("linked"), 4096, 10);
        Files.createDirectory(directory.resolve("sub"));
        Files.createLink(directory.resolve("sub/again"), file);
        LiveReverseMap map = builtMap();

        assertThat(map.pathsOf(inodeOf(file))).containsExactlyInAnyOrder(LinuxPath.of(file),
                LinuxPath.of(directory.resolve("sub/again")));
    }

    @Test
    void reportsAPreallocatedRangeAsUnwritten() throws Exception {
        Path file = freshDirectory().resolve("preallocated");
        try (java.io.RandomAccessFile raf = new java.io.RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(0);
        }
        io.daxguard.testkit.Command.run("fallocate", "-l", "1M", file.toString());
        LiveReverseMap map = builtMap();
        FiemapExtent extent = extentsOf(file).get(0);

        assertThat(map.ownersOfAllocated(extent.physical(), extent.physical() + 4096)).singleElement()
                .isInstanceOfSatisfying(FileOwner.class, owner -> assertThat(owner.unwritten()).isTrue());
    }

    @Test
    void buildsWithFiemapWhenTheInodeScannerFails() throws Exception {
        Path file = write(freshDirectory().resolve("scanned"), 4096, 11);
        InodeScanner failing = (sink, cancelled) -> {
            throw new IOException("media error in an inode table");
        };
        LiveReverseMap map = LiveReverseMap.start(filesystem().mountPointBytes(), ExtraExtentSource.NONE, failing, LOGGER,
                p -> {
                });
        maps.add(map);
        assertThat(map.awaitIndex(Duration.ofMinutes(5))).isTrue();
        FiemapExtent extent = extentsOf(file).get(0);

        assertThat(blockOwners(map, extent)).containsExactly(inodeOf(file));
    }

    @Test
    void answersSeveralThreadsAskingAtOnceAboutFilesWrittenAfterTheBuild() throws Exception {
        Path directory = freshDirectory();
        LiveReverseMap map = builtMap();
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            files.add(write(directory.resolve("concurrent" + i), 8192, 20 + i));
        }
        java.util.concurrent.ExecutorService askers = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<List<Long>>> answers = new ArrayList<>();
            for (Path file : files) {
                long physical = extentsOf(file).get(0).physical();
                answers.add(askers.submit(() -> fileOwnerInodes(map.ownersOfAllocated(physical, physical + 4096))));
            }
            for (int i = 0; i < files.size(); i++) {
                assertThat(answers.get(i).get()).containsExactly(inodeOf(files.get(i)));
            }
        } finally {
            askers.shutdownNow();
        }
    }

    @Test
    void neverRebuildsForBlocksNoFileExplainsOnAnUnchangedFilesystem() throws Exception {
        LiveReverseMap map = builtMap();
        map.ownersOfAllocated(0, 4096);

        map.ownersOfAllocated(4096, 8192);

        assertThat(map.progress().builds()).isEqualTo(1);
        assertThat(map.rebuilds()).containsEntry(RebuildCause.FIRST_BUILD, 1L)
                .containsEntry(RebuildCause.UNEXPLAINED_BLOCKS, 0L).containsEntry(RebuildCause.FILESYSTEM_CHANGED, 0L);
    }

    @Test
    void rebuildsOnceForBlocksNoFileExplainsAfterTheFilesystemChanged() throws Exception {
        LiveReverseMap map = builtMap();
        write(freshDirectory().resolve("a change"), 4096, 77);
        map.ownersOfAllocated(0, 4096);

        map.ownersOfAllocated(4096, 8192);

        assertThat(map.rebuilds()).containsEntry(RebuildCause.FILESYSTEM_CHANGED, 1L);
    }

    @Test
    void saysNoFileOwnsABlockOnlyMetadataHolds() throws Exception {
        LiveReverseMap map = builtMap();

        assertThat(map.ownersOfAllocated(0, 4096)).singleElement().isInstanceOf(io.daxguard.spi.UnknownOwner.class);
    }

    @Test
    void reportsProgressUntilReady() throws Exception {
        LiveReverseMap map = builtMap();

        assertThat(map.progress().state()).isEqualTo(IndexBuildProgress.State.READY);
    }

    @Test
    void answersABlockAskedAgainFromTheConfirmationAlreadyMade() throws Exception {
        Path file = write(freshDirectory().resolve("asked-twice"), 8192, 30);
        LiveReverseMap map = builtMap();
        FiemapExtent extent = extentsOf(file).get(0);
        map.ownersOfAllocated(extent.physical(), extent.physical() + 4096);
        long confirmedLive = map.liveConfirmations();

        List<Owner> again = map.ownersOfAllocated(extent.physical() + 4096, extent.physical() + 8192);

        assertThat(map.liveConfirmations()).as("live confirmations after the second question; owners %s", again)
                .isEqualTo(confirmedLive);
    }

    @Test
    void forgetsARememberedAnswerOnceTheFileIsTruncated() throws Exception {
        Path file = write(freshDirectory().resolve("answer-remembered-then-truncated"), 1 << 20, 38);
        LiveReverseMap map = builtMap();
        FiemapExtent extent = extentsOf(file).get(0);
        long inode = inodeOf(file);
        map.ownersIfAllConfirmed(extent.physical(), extent.physical() + 4096);
        assertThat(map.ownersIfAllConfirmed(extent.physical(), extent.physical() + 4096)).hasValueSatisfying(
                owners -> assertThat(owners).extracting(FileOwner::inode).containsExactly(inode));
        truncateToZero(file);

        assertThat(map.ownersIfAllConfirmed(extent.physical(), extent.physical() + 4096).orElse(List.of()))
                .extracting(FileOwner::inode).doesNotContain(inode);
    }

    @Test
    void answersARangeAskedAgainWithoutConfirmingAgain() throws Exception {
        Path file = write(freshDirectory().resolve("same-range-twice"), 8192, 39);
        LiveReverseMap map = builtMap();
        FiemapExtent extent = extentsOf(file).get(0);
        map.ownersIfAllConfirmed(extent.physical(), extent.physical() + 4096);
        long confirmedLive = map.liveConfirmations();

        map.ownersIfAllConfirmed(extent.physical(), extent.physical() + 4096);

        assertThat(map.liveConfirmations()).isEqualTo(confirmedLive);
    }

    @Test
    void confirmsAPreallocatedBlockLiveAtEveryQuestion() throws Exception {
        // Writeback converts unwritten blocks after the write's event: such an answer must not be remembered.
        Path file = freshDirectory().resolve("preallocated-asked-twice");
        Files.createFile(file);
        io.daxguard.testkit.Command.run("fallocate", "-l", "64K", file.toString());
        LiveReverseMap map = builtMap();
        FiemapExtent extent = extentsOf(file).get(0);
        blockOwners(map, extent);
        long confirmedLive = map.liveConfirmations();

        blockOwners(map, extent);

        assertThat(map.liveConfirmations()).isEqualTo(confirmedLive + 1);
    }

    @Test
    void confirmsEveryQuestionLiveWhenAskedNotToRemember() throws Exception {
        Path file = write(freshDirectory().resolve("forgetful"), 4096, 31);
        LiveReverseMap map = LiveReverseMap.start(filesystem().mountPointBytes(),
                IndexOptions.defaults().withRememberedConfirmations(false), LOGGER, p -> {
                });
        maps.add(map);
        assertThat(map.awaitIndex(Duration.ofMinutes(5))).isTrue();
        FiemapExtent extent = extentsOf(file).get(0);
        map.ownersOfAllocated(extent.physical(), extent.physical() + 4096);
        long confirmedLive = map.liveConfirmations();

        map.ownersOfAllocated(extent.physical(), extent.physical() + 4096);

        assertThat(map.liveConfirmations()).isEqualTo(confirmedLive + 1);
    }

    @FunctionalInterface
    interface FileChange {
        void apply(Path file) throws IOException;
    }

    /** A file's inode, and the inodes named for its first block after the change. */
    record AfterChange(long inode, List<Long> owners) {
    }

    /**
     * Writes a fresh file, asks for the owner of its first block once (so the answer is remembered), applies
     * {@code change} to the file and asks again.
     */
    private AfterChange askRememberChangeAskAgain(String name, int bytes, long seed, FileChange change)
            throws Exception {
        Path file = write(freshDirectory().resolve(name), bytes, seed);
        LiveReverseMap map = builtMap();
        FiemapExtent extent = extentsOf(file).get(0);
        long inode = inodeOf(file);
        assertThat(blockOwners(map, extent)).as("owners before the change").containsExactly(inode);
        change.apply(file);
        return new AfterChange(inode, blockOwners(map, extent));
    }

    @Test
    void forgetsARememberedOwnerOnceTheFileIsTruncated() throws Exception {
        AfterChange after = askRememberChangeAskAgain("remembered-then-truncated", 1 << 20, 32,
                LiveReverseMapContract::truncateToZero);

        assertThat(after.owners()).doesNotContain(after.inode());
    }

    @Test
    void forgetsARememberedOwnerOnceTheFileIsDeleted() throws Exception {
        AfterChange after = askRememberChangeAskAgain("remembered-then-deleted", 65536, 33, Files::delete);

        assertThat(after.owners()).doesNotContain(after.inode());
    }

    @Test
    void forgetsARememberedOwnerOncePunchedOut() throws Exception {
        AfterChange after = askRememberChangeAskAgain("remembered-then-punched", 65536, 34,
                file -> io.daxguard.testkit.Command.run("fallocate", "--punch-hole", "--offset", "0",
                        "--length", "65536", file.toString()));

        assertThat(after.owners()).doesNotContain(after.inode());
    }

    @Test
    void givesCheckedNamesOfEveryHardLink() throws Exception {
        Path directory = freshDirectory();
        Path file = write(directory.resolve("named"), 4096, 35);
        Files.createLink(directory.resolve("also-named"), file);
        LiveReverseMap map = builtMap();

        assertThat(map.verifiedPaths(List.of(inodeOf(file))).orElseThrow().get(inodeOf(file)))
                .extracting(LinuxPath::display).containsExactlyInAnyOrder(relative(file),
                        relative(directory.resolve("also-named")));
    }

    /**
     * In byte order, as the agent's own walk gives them, whatever order the walk met them in: a file's first name is
     * the ledger's display path, so it must not depend on directory order or on which of the two answered.
     */
    @Test
    void givesTheNamesOfAHardLinkedFileInByteOrder() throws Exception {
        Path directory = freshDirectory();
        Path file = write(directory.resolve("m-named"), 4096, 39);
        List<String> expected = new ArrayList<>(List.of(relative(file)));
        for (String name : List.of("z-link", "a-link", "q/deep-link", "b/link", "y-link", "c-link")) {
            Path link = directory.resolve(name);
            Files.createDirectories(link.getParent());
            Files.createLink(link, file);
            expected.add(relative(link));
        }
        expected.sort(java.util.Comparator.comparing(name -> LinuxPath.ofText(name)));
        LiveReverseMap map = builtMap();

        assertThat(map.verifiedPaths(List.of(inodeOf(file))).orElseThrow().get(inodeOf(file)))
                .extracting(LinuxPath::display).containsExactlyElementsOf(expected);
    }

    @Test
    void givesNoNamesOnceARememberedNameNoLongerLeadsToTheFile() throws Exception {
        Path directory = freshDirectory();
        Path file = write(directory.resolve("before-rename"), 4096, 36);
        long inode = inodeOf(file);
        LiveReverseMap map = builtMap();
        assertThat(map.verifiedPaths(List.of(inode))).isPresent();
        Files.move(file, directory.resolve("after-rename"));

        assertThat(map.verifiedPaths(List.of(inode))).isEmpty();
    }

    @Test
    void givesNoNamesForAFileLinkedAgainSinceTheBuild() throws Exception {
        Path directory = freshDirectory();
        Path file = write(directory.resolve("linked-later"), 4096, 37);
        LiveReverseMap map = builtMap();
        Files.createLink(directory.resolve("the-new-link"), file);

        assertThat(map.verifiedPaths(List.of(inodeOf(file)))).isEmpty();
    }

    @Test
    void namesAndConfirmsAFileWhoseNamesAreNotUtf8ByTheirBytes() throws Exception {
        Path directory = freshDirectory();
        Path written = write(directory.resolve("plain"), 4096, 38);
        long inode = inodeOf(written);
        LinuxPath latin1Directory = ByteNames.makeDirectory(
                LinuxPath.of(directory).join(ByteNames.latin1("d\u00e9j\u00e0")));
        ByteNames.rename(written, latin1Directory.join(ByteNames.latin1("caf\u00e9")));
        LiveReverseMap map = builtMap();
        FiemapExtent extent;
        try (NativeFile directoryOpen = NativeFile.openDirectory(latin1Directory);
             NativeFile file = directoryOpen.openChildNoFollow(ByteNames.latin1("caf\u00e9"), NativeFile.Access.READ)) {
            List<FiemapExtent> extents = new ArrayList<>();
            Fiemap.map(file, 0, Long.MAX_VALUE, 0, 64, extents::add);
            extent = extents.get(0);
        }

        assertThat(blockOwners(map, extent)).as("confirmed by opening the file by its bytes").containsExactly(inode);
        assertThat(map.verifiedPaths(List.of(inode)).orElseThrow().get(inode)).extracting(LinuxPath::display)
                .containsExactly(relative(directory) + "/d\\xe9j\\xe0/caf\\xe9");
    }

    private String relative(Path file) {
        return "/" + filesystem().mountPoint().relativize(file);
    }

    @Test
    void stopsItsThreadOnClose() throws Exception {
        LiveReverseMap map = builtMap();
        map.close();

        assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName)
                .noneMatch(name -> name.equals("daxguard-index " + filesystem().mountPoint()));
    }
}
