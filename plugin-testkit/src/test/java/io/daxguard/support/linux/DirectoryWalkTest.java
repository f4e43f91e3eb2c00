package io.daxguard.support.linux;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.LinuxPath;
import io.daxguard.testkit.ByteNames;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.ScratchFilesystem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The getdents64 walk over a real XFS tree. */
@Tag("mount")
class DirectoryWalkTest {
    @RegisterExtension
    static final ScratchFilesystem fs = ScratchFilesystem.xfs().build();

    /** Every entry the walk reported, by path relative to the root (display form), with its inode. */
    private static Map<String, Long> walk(Path root) throws IOException {
        List<String> directories = new ArrayList<>(List.of(""));
        Map<String, Long> found = new HashMap<>();
        DirectoryWalk.walk(LinuxPath.of(root), (parent, bytes, inode, type) -> {
            String name = LinuxPath.of(bytes).display();
            String path = directories.get(parent).isEmpty() ? name : directories.get(parent) + "/" + name;
            found.put(path, inode);
            if (type == DirectoryWalk.DT_DIR) {
                directories.add(path);
                return true;
            }
            return false;
        });
        return found;
    }

    @Test
    void neverFollowsASymlinkEvenWhenAskedToDescendIntoIt() throws IOException {
        Path root = Files.createDirectories(fs.path("looping"));
        Files.createDirectories(root.resolve("d"));
        Files.createSymbolicLink(root.resolve("d/up"), Path.of(".."));
        List<String> names = new ArrayList<>();

        // A visitor that descends into everything, as one must for entries without d_type (DT_UNKNOWN).
        DirectoryWalk.walk(LinuxPath.of(root), (parent, name, inode, type) -> {
            names.add(LinuxPath.of(name).display());
            return true;
        });

        assertThat(names).containsExactlyInAnyOrder("d", "up");
    }

    @Test
    void findsEveryFileOfATreeWithItsInode() throws IOException {
        Path root = Files.createDirectories(fs.path("tree"));
        Files.createDirectories(root.resolve("a/b/c"));
        Files.createDirectories(root.resolve("empty"));
        // A non-ASCII name only where the JDK can name it (not under LANG=C); names as bytes are tested apart.
        String unusual = io.daxguard.testkit.ByteNames.jdkCanName("naïve") ? "a/b/c/naïve name" : "a/b/c/naive name";
        for (String file : List.of("top", "a/one", "a/b/two", "a/b/c/three", unusual)) {
            Files.write(root.resolve(file), new byte[10]);
        }
        Files.createSymbolicLink(root.resolve("a/link"), Path.of("one"));
        Map<String, Long> expected = new HashMap<>();
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.filter(p -> !p.equals(root)).toList()) {
                expected.put(root.relativize(path).toString(),
                        ((Number) Files.getAttribute(path, "unix:ino", java.nio.file.LinkOption.NOFOLLOW_LINKS))
                                .longValue());
            }
        }

        assertThat(walk(root)).isEqualTo(expected);
    }

    @Test
    void givesNamesThatAreNotUtf8AsTheirBytesAndWalksIntoSuchDirectories() throws IOException {
        Path root = Files.createDirectories(fs.path("latin1"));
        LinuxPath directory = ByteNames.makeDirectory(LinuxPath.of(root).join(ByteNames.latin1("r\u00e9sum\u00e9s")));
        Files.write(root.resolve("plain"), new byte[10]);
        ByteNames.rename(root.resolve("plain"), directory.join(ByteNames.latin1("caf\u00e9")));
        List<LinuxPath> names = new ArrayList<>();

        DirectoryWalk.walk(LinuxPath.of(root), (parent, name, inode, type) -> {
            names.add(LinuxPath.of(name));
            return type == DirectoryWalk.DT_DIR;
        });

        assertThat(names).containsExactly(ByteNames.latin1("r\u00e9sum\u00e9s"), ByteNames.latin1("caf\u00e9"));
    }

    @Test
    void doesNotEnterAFilesystemMountedInsideTheTree() throws IOException {
        Path root = Files.createDirectories(fs.path("with-mount"));
        Files.write(root.resolve("mine"), new byte[1]);
        Path inner = Files.createDirectories(root.resolve("inner"));
        Command.run("mount", "-t", "tmpfs", "-o", "size=1m", "daxguard-test", inner.toString());
        try {
            Files.write(inner.resolve("not-mine"), new byte[1]);

            assertThat(walk(root)).containsOnlyKeys("mine", "inner");
        } finally {
            Command.run("umount", inner.toString());
        }
    }
}
