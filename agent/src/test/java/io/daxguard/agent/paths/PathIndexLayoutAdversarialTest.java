package io.daxguard.agent.paths;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.LinuxPath;
import io.daxguard.testkit.ScratchFilesystem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Adversarial review of the index laid out by inode number: on an XFS of five 0.8 TiB allocation groups (a sparse
 * image), directories made at the root land in every group, so inode numbers run from a few hundred to above 2^33 in
 * one tree. Every name of every inode must be found with its path, as {@code Files.walk} and {@code unix:ino} give
 * them.
 */
@Tag("mount")
class PathIndexLayoutAdversarialTest {
    @RegisterExtension
    static final ScratchFilesystem WIDE = ScratchFilesystem.xfs().sizeMiB(4L << 20)
            .mkfsOptions("-K", "-d", "agcount=5", "-l", "size=64m").build();

    /** No file types in directory entries: getdents64 gives DT_UNKNOWN for every name, files included. */
    @RegisterExtension
    static final ScratchFilesystem UNTYPED = ScratchFilesystem.ext4().mkfsOptions("-O", "^filetype").build();

    private static long inode(Path path) throws IOException {
        return (Long) Files.getAttribute(path, "unix:ino", java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }

    /** Every inode below the mount point with its paths, relative and sorted, the way the index answers. */
    private static Map<Long, List<LinuxPath>> namesByWalkingWithStat(Path root) throws IOException {
        Map<Long, List<LinuxPath>> names = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path path : walk.filter(path -> !path.equals(root)).toList()) {
                names.computeIfAbsent(inode(path), inode -> new ArrayList<>())
                        .add(LinuxPath.ofText("/" + root.relativize(path)));
            }
        }
        names.values().forEach(paths -> paths.sort(null));
        return names;
    }

    private static void assertEveryNameOfEveryInodeIsFound(Path root) throws IOException {
        Map<Long, List<LinuxPath>> expected = namesByWalkingWithStat(root);
        PathIndex index = PathIndex.build(LinuxPath.of(root));

        Map<Long, List<LinuxPath>> found = new TreeMap<>();
        expected.keySet().forEach(inode -> found.put(inode, index.pathsOf(inode)));
        assertThat(found).isEqualTo(expected);
        assertThat(index.size()).isEqualTo(expected.values().stream().mapToInt(List::size).sum());
    }

    @Test
    void inodeNumbersAboveTwoToTheThirtyTwoAreNamedWithEveryPath() throws IOException {
        Path root = WIDE.mountPoint().resolve("wide");
        Files.createDirectory(root);
        List<Path> groups = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Path group = Files.createDirectory(root.resolve("group-" + i));
            groups.add(group);
            Path deep = group;
            for (int depth = 0; depth < 30; depth++) {
                deep = Files.createDirectory(deep.resolve("level-" + depth));
            }
            Files.writeString(deep.resolve("bottom.txt"), "bottom " + i);
            for (int file = 0; file < 20; file++) {
                Files.writeString(group.resolve("file-" + file), "file " + file);
            }
        }
        // Hard links across directories of different groups: one inode, names under low and high numbers.
        for (int i = 0; i < groups.size(); i++) {
            Path target = groups.get(i).resolve("file-0");
            Files.createLink(groups.get((i + 3) % groups.size()).resolve("link-from-" + i), target);
            Files.createLink(root.resolve("top-link-" + i), target);
        }
        assertThat(groups.stream().mapToLong(group -> {
            try {
                return inode(group);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).max().orElseThrow()).as("a directory numbered above 2^32").isGreaterThan(1L << 32);

        assertEveryNameOfEveryInodeIsFound(root);
    }

    @Test
    void aDirectoryNumberedAboveItsChildrenLeadsToThem() throws IOException {
        Path root = WIDE.mountPoint().resolve("upside-down");
        Files.createDirectory(root);
        // Files made first get the low numbers; directories made after them in other groups get higher ones, and
        // the files are moved in, under several levels, so every parent outnumbers its child.
        List<Path> early = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            early.add(Files.writeString(root.resolve("early-" + i), "early " + i));
        }
        Path parent = root;
        for (int level = 0; level < 6; level++) {
            Path made;
            do {
                made = Files.createDirectory(parent.resolve("later-" + level + "-" + System.nanoTime()));
            } while (inode(made) < inode(parent) && deleted(made));
            parent = made;
            Files.move(early.get(level * 2), parent.resolve("moved-" + level));
            Files.createLink(parent.resolve("linked-" + level), early.get(level * 2 + 1));
        }
        assertThat(inode(parent)).as("the deepest directory outnumbers the files it holds")
                .isGreaterThan(inode(parent.resolve("moved-5")));

        assertEveryNameOfEveryInodeIsFound(root);
    }

    private static boolean deleted(Path directory) throws IOException {
        Files.delete(directory);
        return true;
    }

    @Test
    void aRenamedDirectoryIsNamedByItsNewPathInTheNextIndex() throws IOException {
        Path root = WIDE.mountPoint().resolve("renamed");
        Path before = Files.createDirectories(root.resolve("old-name/inner"));
        Files.writeString(before.resolve("file"), "in the renamed directory");
        long inode = inode(before.resolve("file"));
        assertThat(PathIndex.build(LinuxPath.of(root)).pathsOf(inode))
                .containsExactly(LinuxPath.ofText("/old-name/inner/file"));

        Files.createDirectory(root.resolve("elsewhere"));
        Files.move(root.resolve("old-name"), root.resolve("elsewhere/new-name"));

        assertThat(PathIndex.build(LinuxPath.of(root)).pathsOf(inode))
                .containsExactly(LinuxPath.ofText("/elsewhere/new-name/inner/file"));
        assertEveryNameOfEveryInodeIsFound(root);
    }

    @Test
    void withoutFileTypesInDirectoryEntriesEveryNameIsStillFound() throws IOException {
        Path root = UNTYPED.mountPoint().resolve("untyped");
        Path deep = Files.createDirectories(root.resolve("a/b/c/d"));
        Files.writeString(deep.resolve("file"), "deep");
        Files.writeString(root.resolve("top"), "top");
        Files.createLink(deep.resolve("link-to-top"), root.resolve("top"));
        Files.createSymbolicLink(root.resolve("a/symlink-to-a"), root.resolve("a"));
        for (int i = 0; i < 50; i++) {
            Files.writeString(root.resolve("a/b/file-" + i), "file " + i);
        }

        assertEveryNameOfEveryInodeIsFound(root);
    }
}
