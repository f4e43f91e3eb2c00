package io.daxguard.support.index;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.FailureRange;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.LinuxPath;
import io.daxguard.spi.Owner;
import io.daxguard.support.linux.Fiemap;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.support.linux.FileGeneration;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Confirmation by file handle and names given as the index's walk read them, on a real filesystem: a batch is
 * answered as the files' own FIEMAP says; a deleted or replaced file is never an owner; a renamed file is still the
 * owner of its blocks, and its old name is never given; names are not given as walked once a filesystem is mounted
 * over their directory.
 */
@Tag("mount")
abstract class ConfirmationByHandleContract {
    private static final System.Logger LOGGER = System.getLogger("test");
    private static final int BLOCK = 4096;
    private final List<LiveReverseMap> maps = new ArrayList<>();
    private static int directories;

    abstract ScratchFilesystem filesystem();

    @BeforeAll
    static void requireTools() {
        Privileges.requireRootLoopAnd("mount", "umount");
    }

    @AfterEach
    void closeMaps() throws IOException {
        for (LiveReverseMap map : maps) {
            map.close();
        }
    }

    private Path freshDirectory() throws IOException {
        return Files.createDirectory(filesystem().path("h" + (++directories)));
    }

    private LiveReverseMap builtMap() throws Exception {
        LiveReverseMap map = LiveReverseMap.start(filesystem().mountPointBytes(), ExtraExtentSource.NONE, LOGGER,
                p -> {
                });
        maps.add(map);
        assertThat(map.awaitIndex(Duration.ofMinutes(5))).as("index built: %s", map.progress()).isTrue();
        return map;
    }

    private static Path write(Path file, int bytes, long seed) throws IOException {
        byte[] data = new byte[bytes];
        new Random(seed).nextBytes(data);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(data));
            channel.force(true);
        }
        return file;
    }

    private record Identity(long inode, long generation, FiemapExtent firstExtent) {
    }

    private static Identity identityOf(Path file) throws IOException {
        try (NativeFile open = NativeFile.openReadOnly(file)) {
            List<FiemapExtent> extents = new ArrayList<>();
            Fiemap.map(open, 0, Long.MAX_VALUE, 0, 64, extents::add);
            return new Identity(open.status().inode(), FileGeneration.of(open), extents.get(0));
        }
    }

    private static List<FileOwner> fileOwners(List<Owner> owners) {
        return owners.stream().filter(FileOwner.class::isInstance).map(FileOwner.class::cast).toList();
    }

    private static List<Owner> ownersOfFirstBlock(LiveReverseMap map, Identity identity) throws IOException {
        long start = identity.firstExtent().physical();
        return map.ownersOfAllocated(start, start + BLOCK);
    }

    private String relative(Path file) {
        return "/" + filesystem().mountPoint().relativize(file);
    }

    @Test
    void answersABatchAsEachFilesOwnMappingSays() throws Exception {
        Path directory = freshDirectory();
        List<Identity> files = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            files.add(identityOf(write(directory.resolve("batch-" + i), 2 * BLOCK, 100 + i)));
        }
        LiveReverseMap map = builtMap();
        List<FailureRange> ranges = files.stream()
                .map(file -> FailureRange.of(file.firstExtent().physical(), BLOCK)).toList();

        List<List<Owner>> answers = map.answerAll(ranges,
                (range, question) -> map.ownersOfAllocated(range.offset(), range.end(), question));

        for (int i = 0; i < files.size(); i++) {
            Identity file = files.get(i);
            assertThat(answers.get(i)).as("range %d", i).containsExactly(new FileOwner(file.inode(),
                    file.generation(), io.daxguard.spi.Fork.DATA, 0, file.firstExtent().physical(), BLOCK, false,
                    false));
        }
    }

    @Test
    void neverNamesAFileDeletedSinceTheBuild() throws Exception {
        Path file = write(freshDirectory().resolve("deleted"), 4 * BLOCK, 1);
        Identity identity = identityOf(file);
        LiveReverseMap map = builtMap();
        Files.delete(file);

        assertThat(fileOwners(ownersOfFirstBlock(map, identity))).extracting(FileOwner::inode)
                .doesNotContain(identity.inode());
    }

    @Test
    void neverNamesTheFileAReplacementTookTheInodeOf() throws Exception {
        Path directory = freshDirectory();
        Path file = write(directory.resolve("replaced"), 4 * BLOCK, 2);
        Identity before = identityOf(file);
        LiveReverseMap map = builtMap();
        Files.delete(file);
        Identity after = identityOf(write(directory.resolve("replacement"), 4 * BLOCK, 3));

        assertThat(fileOwners(ownersOfFirstBlock(map, before)))
                .as("the inode may be reused (now %d), the generation tells", after.inode())
                .noneMatch(owner -> owner.inode() == before.inode() && owner.generation() == before.generation());
    }

    @Test
    void confirmsAFileRenamedSinceTheBuildWithoutRebuilding() throws Exception {
        Path directory = freshDirectory();
        Path file = write(directory.resolve("before-rename"), 4 * BLOCK, 4);
        Identity identity = identityOf(file);
        LiveReverseMap map = builtMap();
        Files.move(file, directory.resolve("after-rename"));

        assertThat(fileOwners(ownersOfFirstBlock(map, identity))).extracting(FileOwner::inode)
                .containsExactly(identity.inode());
        assertThat(map.rebuilds().get(RebuildCause.PROPOSAL_REJECTED)).isZero();
    }

    @Test
    void neverGivesTheOldNameOfAFileRenamedSinceTheBuild() throws Exception {
        Path directory = freshDirectory();
        Path file = write(directory.resolve("old-name"), 4 * BLOCK, 5);
        Identity identity = identityOf(file);
        LiveReverseMap map = builtMap();
        assertThat(map.verifiedPaths(List.of(identity.inode())).orElseThrow().get(identity.inode()))
                .extracting(LinuxPath::display).containsExactly(relative(file));
        Files.move(file, directory.resolve("new-name"));

        assertThat(map.verifiedPaths(List.of(identity.inode()))).isEmpty();
    }

    @Test
    void givesTheNewNameOnceTheIndexIsRebuiltAfterARename() throws Exception {
        Path directory = freshDirectory();
        Path file = write(directory.resolve("renamed-then-indexed"), 4 * BLOCK, 6);
        Identity identity = identityOf(file);
        Path renamed = Files.move(file, directory.resolve("indexed-by-new-name"));
        LiveReverseMap map = builtMap();

        Map<Long, List<LinuxPath>> names = map.verifiedPaths(List.of(identity.inode())).orElseThrow();

        assertThat(names.get(identity.inode())).extracting(LinuxPath::display).containsExactly(relative(renamed));
    }

    @Test
    void givesNoNamesOnceAFilesystemIsMountedOverTheirDirectory() throws Exception {
        Path directory = freshDirectory();
        Path file = write(directory.resolve("hidden-by-a-mount"), 4 * BLOCK, 7);
        Identity identity = identityOf(file);
        LiveReverseMap map = builtMap();
        Command.run("mount", "-t", "tmpfs", "-o", "size=1m", "daxguard-test", directory.toString());
        try {
            assertThat(map.verifiedPaths(List.of(identity.inode()))).isEmpty();
        } finally {
            Command.run("umount", directory.toString());
        }
    }
}
