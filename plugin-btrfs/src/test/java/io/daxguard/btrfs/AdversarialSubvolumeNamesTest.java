package io.daxguard.btrfs;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.Holder;
import io.daxguard.spi.LinuxPath;
import io.daxguard.spi.Mount;
import io.daxguard.spi.PluginContext;
import io.daxguard.support.linux.FileStatus;
import io.daxguard.support.linux.NativeFile;
import io.daxguard.testkit.ByteNames;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.Privileges;
import io.daxguard.testkit.ScratchFilesystem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Names asked for a subvolume the holder's mount no longer shows: the mount point of a {@code subvol=} mount covered
 * by a bind mount of another subvolume of the same btrfs, or the subvolume renamed and another put at its name. Inode
 * numbers start at 257 in every subvolume, so the other subvolume has a file with the same number: its names must
 * not be given out as the names of the file asked for. And what must still work: a file below a directory covered by
 * another mount has no names, and a subvolume mounted by id whose name is no UTF-8 names its files.
 */
@Tag("mount")
class AdversarialSubvolumeNamesTest {
    private ScratchFilesystem fs;
    private final Deque<Path> mounted = new ArrayDeque<>();
    private Path where;

    @BeforeEach
    void createTwoSubvolumes() throws IOException {
        Privileges.requireRootLoopAnd("mkfs.btrfs", "btrfs", "mount", "umount");
        fs = ScratchFilesystem.of("btrfs").build();
        try {
            fs.create();
            Command.run("btrfs", "subvolume", "create", fs.path("x").toString());
            Command.run("btrfs", "subvolume", "create", fs.path("y").toString());
            BtrfsFixtures.writeCommitted(fs.path("x/a"), 1);
            BtrfsFixtures.writeCommitted(fs.path("y/b"), 1);
            where = Files.createTempDirectory("daxguard-btrfs-names-");
        } catch (IOException | RuntimeException e) {
            fs.close();
            throw e;
        }
    }

    @AfterEach
    void unmountAll() throws IOException {
        try {
            while (!mounted.isEmpty()) {
                Command.run("umount", mounted.pop().toString());
            }
            if (where != null) {
                Files.delete(where);
            }
        } finally {
            fs.close();
        }
    }

    @Test
    void theSameInodeNumberInAnotherSubvolumeBoundOverTheMountPointIsNotNamedAsTheFileAskedFor()
            throws IOException {
        long x = subvolumeIdOf(fs.path("x"));
        long inode = BtrfsFixtures.inodeOf(fs.path("x/a"));
        assertThat(BtrfsFixtures.inodeOf(fs.path("y/b"))).isEqualTo(inode);
        mount("subvol=/x", where);
        try (Holder holder = attach(where)) {
            Command.run("mount", "--bind", fs.path("y").toString(), where.toString());
            mounted.push(where);

            assertThat(holder.pathNames().orElseThrow().pathsOf(x, List.of(inode)))
                    .as("x's inode %d, while %s shows subvolume y bound over x", inode, where)
                    .isEmpty();
        }
    }

    @Test
    void aSubvolumeMovedToTheNameOfTheMountedOneIsNotNamedThroughTheMountedOne() throws IOException {
        long y = subvolumeIdOf(fs.path("y"));
        long inode = BtrfsFixtures.inodeOf(fs.path("y/b"));
        mount("subvol=/x", where);
        try (Holder holder = attach(where)) {
            Files.move(fs.path("x"), fs.path("x-old"));
            Files.move(fs.path("y"), fs.path("x"));
            BtrfsFixtures.commit(fs.mountPoint());

            // where still shows the subvolume first named x: its /a is none of y's links
            assertThat(holder.pathNames().orElseThrow().pathsOf(y, List.of(inode)))
                    .as("y's inode %d, now at /x while %s shows the old x", inode, where)
                    .isEmpty();
        }
    }

    @Test
    void theMountedSubvolumeStillNamesItsOwnFile() throws IOException {
        long x = subvolumeIdOf(fs.path("x"));
        long inode = BtrfsFixtures.inodeOf(fs.path("x/a"));
        mount("subvol=/x", where);
        try (Holder holder = attach(where)) {
            assertThat(holder.pathNames().orElseThrow().pathsOf(x, List.of(inode)))
                    .contains(Map.of(inode, List.of(LinuxPath.ofText("/a"))));
        }
    }

    @Test
    void aFileBelowADirectoryCoveredByAnotherFilesystemHasNoNames() throws IOException {
        long x = subvolumeIdOf(fs.path("x"));
        Files.createDirectories(fs.path("x/covered/d"));
        long inode = BtrfsFixtures.inodeOf(BtrfsFixtures.writeCommitted(fs.path("x/covered/d/f"), 1));
        mount("subvol=/x", where);
        try (Holder holder = attach(where)) {
            Command.run("mount", "-t", "tmpfs", "-o", "size=1m", "cover", where.resolve("covered").toString());
            mounted.push(where.resolve("covered"));
            Files.createDirectories(where.resolve("covered/d"));
            Files.writeString(where.resolve("covered/d/f"), "another filesystem's file");

            assertThat(holder.pathNames().orElseThrow().pathsOf(x, List.of(inode))).isEmpty();
        }
    }

    @Test
    void aNestedSubvolumeBelowADirectoryCoveredByABindMountHasNoNames() throws IOException {
        Files.createDirectories(fs.path("x/outer"));
        Command.run("btrfs", "subvolume", "create", fs.path("x/outer/nested").toString());
        long nested = subvolumeIdOf(fs.path("x/outer/nested"));
        long inode = BtrfsFixtures.inodeOf(BtrfsFixtures.writeCommitted(fs.path("x/outer/nested/f"), 1));
        mount("subvol=/x", where);
        try (Holder holder = attach(where)) {
            assertThat(holder.pathNames().orElseThrow().pathsOf(nested, List.of(inode)))
                    .contains(Map.of(inode, List.of(LinuxPath.ofText("/outer/nested/f"))));
            // y's root bound over outer: y has no "nested", but the bind mount is another mount on the way
            Files.createDirectories(fs.path("y/nested"));
            Command.run("mount", "--bind", fs.path("y").toString(), where.resolve("outer").toString());
            mounted.push(where.resolve("outer"));

            assertThat(holder.pathNames().orElseThrow().pathsOf(nested, List.of(inode))).isEmpty();
        }
    }

    @Test
    void aMountOfASubvolumeWhoseNameIsNoUtf8AndHoldsASpaceNamesItsFiles() throws IOException {
        byte[] name = {'c', 'a', 'f', (byte) 0xe9, ' ', 'v', 'o', 'l'};
        LinuxPath subvolume = LinuxPath.of(fs.mountPointBytes().bytes()).join(LinuxPath.of(name));
        Command.run("sh", "-c", "btrfs subvolume create " + ByteNames.shellWord(subvolume)
                + " >/dev/null && head -c 4096 /dev/urandom > "
                + ByteNames.shellWord(subvolume.join(LinuxPath.ofText("f"))));
        BtrfsFixtures.commit(fs.mountPoint());
        long id;
        try (NativeFile root = NativeFile.openDirectory(subvolume)) {
            id = BtrfsIoctls.inoLookupTree(root);
        }
        long inode = FileStatus.ofPathNoFollow(subvolume.join(LinuxPath.ofText("f"))).inode();
        mount("subvolid=" + id, where);
        Mount read = BtrfsFixtures.mountOf(where);
        // the root as the agent's MountTable gives it: mountinfo's field unescaped (\040), in display form
        Mount mount = new Mount(read.mountId(), read.device(),
                LinuxPath.ROOT.join(LinuxPath.of(name)).display(), read.mountPoint(), read.fsType(), read.source(),
                read.options());
        try (Holder holder = new BtrfsPlugin().attach(mount, PluginContext.of(System.getLogger("test")))) {
            assertThat(holder.pathNames().orElseThrow().pathsOf(id, List.of(inode)))
                    .contains(Map.of(inode, List.of(LinuxPath.ofText("/f"))));
        }
    }

    private Holder attach(Path mountPoint) throws IOException {
        return new BtrfsPlugin().attach(BtrfsFixtures.mountOf(mountPoint), PluginContext.of(System.getLogger("test")));
    }

    private void mount(String options, Path at) throws IOException {
        Command.run("mount", "-o", options, fs.device().toString(), at.toString());
        mounted.push(at);
    }

    private static long subvolumeIdOf(Path subvolume) throws IOException {
        return Long.parseLong(Command.run("btrfs", "inspect-internal", "rootid", subvolume.toString()).strip());
    }
}
