package io.daxguard.agent.paths;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.LinuxPath;
import io.daxguard.support.linux.OverlappedCalls;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** On a real directory tree: getdents64 and statx against whatever filesystem holds the temp directory. */
class FilePathsTest {
    private Path root;
    private FilePaths paths;

    @BeforeEach
    void makeTree() throws IOException {
        root = Files.createTempDirectory("daxguard-paths-");
        Files.createDirectories(root.resolve("a/b/c"));
        Files.writeString(root.resolve("a/b/c/deep.txt"), "deep");
        Files.writeString(root.resolve("top.txt"), "top");
        Files.createLink(root.resolve("a/link-to-top.txt"), root.resolve("top.txt"));
        paths = new FilePaths(LinuxPath.of(root));
    }

    @AfterEach
    void removeTree() throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    private static long inode(Path path) throws IOException {
        return (Long) Files.getAttribute(path, "unix:ino");
    }

    @Test
    void findsAFileDeepInTheTree() throws IOException {
        long inode = inode(root.resolve("a/b/c/deep.txt"));

        assertThat(paths.pathsOf(List.of(inode))).containsEntry(inode, List.of("/a/b/c/deep.txt"));
    }

    @Test
    void givesEveryNameOfAHardLinkedFile() throws IOException {
        long inode = inode(root.resolve("top.txt"));

        assertThat(paths.pathsOf(List.of(inode)).get(inode)).containsExactly("/a/link-to-top.txt", "/top.txt");
    }

    @Test
    void answersSeveralInodesFromOneWalk() throws IOException {
        long deep = inode(root.resolve("a/b/c/deep.txt"));
        long top = inode(root.resolve("top.txt"));

        assertThat(paths.pathsOf(List.of(deep, top))).containsOnlyKeys(deep, top);
        assertThat(paths.indexedEntries()).isEqualTo(6);
    }

    @Test
    void followsARenameMadeAfterTheWalk() throws IOException {
        long inode = inode(root.resolve("a/b/c/deep.txt"));
        paths.pathsOf(List.of(inode));

        Files.move(root.resolve("a/b/c/deep.txt"), root.resolve("a/moved.txt"));

        assertThat(paths.pathsOf(List.of(inode))).containsEntry(inode, List.of("/a/moved.txt"));
    }

    @Test
    void aDirectorySwappedForALinkToItsNewNameIsNotANameOfItsFiles() throws IOException {
        long inode = inode(root.resolve("a/b/c/deep.txt"));
        paths.pathsOf(List.of(inode));

        Files.move(root.resolve("a/b"), root.resolve("a/b2"));
        Files.createSymbolicLink(root.resolve("a/b"), Path.of("b2"));

        assertThat(paths.pathsOf(List.of(inode))).containsEntry(inode, List.of("/a/b2/c/deep.txt"));
    }

    @Test
    void findsAHardLinkMadeAfterTheWalk() throws IOException {
        long inode = inode(root.resolve("a/b/c/deep.txt"));
        paths.pathsOf(List.of(inode));

        Files.createLink(root.resolve("late-link.txt"), root.resolve("a/b/c/deep.txt"));

        assertThat(paths.pathsOf(List.of(inode)).get(inode)).containsExactly("/a/b/c/deep.txt", "/late-link.txt");
    }

    /** Enough files that their names are checked a few at a time, not one by one on the caller's thread. */
    private List<Long> manyFiles() throws IOException {
        List<Long> inodes = new ArrayList<>();
        for (int i = 0; i < 2 * OverlappedCalls.MIN_OVERLAPPED; i++) {
            Path file = root.resolve("a/b/many-" + i + ".txt");
            Files.writeString(file, "file " + i);
            inodes.add(inode(file));
        }
        return inodes;
    }

    @Test
    void namesCheckedAFewAtATimeAreTheNamesCheckedOneByOne() throws IOException {
        List<Long> inodes = manyFiles();
        inodes.add(inode(root.resolve("top.txt")));
        try (OverlappedCalls overlapped = new OverlappedCalls("test-name-check", 3)) {
            Map<Long, List<String>> oneByOne = paths.pathsOf(inodes);

            assertThat(paths.pathsOf(inodes, overlapped)).isEqualTo(oneByOne).hasSize(inodes.size());
        }
    }

    @Test
    void aRenameAmongNamesCheckedAFewAtATimeIsFollowed() throws IOException {
        List<Long> inodes = manyFiles();
        try (OverlappedCalls overlapped = new OverlappedCalls("test-name-check", 3)) {
            paths.pathsOf(inodes, overlapped);

            Files.move(root.resolve("a/b/many-5.txt"), root.resolve("a/renamed.txt"));

            assertThat(paths.pathsOf(inodes, overlapped)).containsEntry(inodes.get(5), List.of("/a/renamed.txt"));
        }
    }

    @Test
    void aQuestionAboutAFileWithNoNameWalksTheTreeOnceNotTwice() throws IOException {
        Path doomed = root.resolve("nameless.txt");
        Files.writeString(doomed, "soon gone");
        long inode = inode(doomed);
        try (RandomAccessFile stillOpen = new RandomAccessFile(doomed.toFile(), "r")) {
            Files.delete(doomed);
            paths.pathsOf(List.of(inode));
            long walksBefore = paths.walks();

            paths.pathsOf(List.of(inode));

            assertThat(paths.walks()).isEqualTo(walksBefore + 1);
        }
    }

    @Test
    void aReusedInodeNumberIsNamedAfterANamelessAnswer() throws IOException {
        Path first = root.resolve("first.txt");
        Files.writeString(first, "first");
        long inode = inode(first);
        Files.delete(first);
        paths.pathsOf(List.of(inode));
        Path second = root.resolve("second.txt");
        Files.writeString(second, "second");
        org.junit.jupiter.api.Assumptions.assumeTrue(inode(second) == inode, "the filesystem did not reuse the inode");

        assertThat(paths.pathsOf(List.of(inode))).containsEntry(inode, List.of("/second.txt"));
    }

    @Test
    void anUnlinkedButOpenFileHasNoName() throws IOException {
        Path doomed = root.resolve("doomed.txt");
        Files.writeString(doomed, "soon gone");
        long inode = inode(doomed);
        try (RandomAccessFile stillOpen = new RandomAccessFile(doomed.toFile(), "r")) {
            Files.delete(doomed);

            assertThat(paths.pathsOf(List.of(inode))).containsEntry(inode, List.of());
        }
    }
}
