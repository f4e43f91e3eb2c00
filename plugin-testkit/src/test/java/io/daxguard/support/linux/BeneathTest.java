package io.daxguard.support.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daxguard.spi.LinuxPath;
import io.daxguard.testkit.Privileges;
import io.daxguard.testkit.ScratchFilesystem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Opening beneath a directory descriptor, with openat2 and with the walk that replaces it on kernels without: the
 * same answers for the same trees, and under a directory swapped for a symlink in a loop, only the real file or a
 * refusal.
 */
@Tag("mount")
class BeneathTest {
    @RegisterExtension
    static final ScratchFilesystem fs = ScratchFilesystem.xfs().build();

    @BeforeAll
    static void requireRoot() {
        Privileges.requireRootLoopAnd("mkfs.xfs");
    }

    private static NativeFile open(Path start, String relative, Beneath.Resolver resolver, boolean crossMounts)
            throws IOException {
        try (NativeFile directory = NativeFile.openDirectory(start)) {
            return Beneath.open(directory, LinuxPath.ofText(relative), LibC.O_RDONLY, crossMounts, resolver);
        }
    }

    private static int errnoOf(Path start, String relative, Beneath.Resolver resolver) {
        try (NativeFile opened = open(start, relative, resolver, false)) {
            return 0;
        } catch (NativeCallException e) {
            return e.errno();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static Path tree(String name) throws IOException {
        Path root = Files.createDirectories(fs.path(name + "/a/b"));
        Files.writeString(root.resolve("file"), "real");
        return fs.path(name);
    }

    @ParameterizedTest
    @EnumSource(Beneath.Resolver.class)
    void aFileTwoDirectoriesDownIsOpened(Beneath.Resolver resolver) throws IOException {
        Path root = tree("plain-" + resolver);

        try (NativeFile file = open(root, "a/b/file", resolver, false)) {
            assertThat(file.status().inode()).isEqualTo(FileStatus.ofPath(root.resolve("a/b/file")).inode());
        }
    }

    @ParameterizedTest
    @EnumSource(Beneath.Resolver.class)
    void aSymlinkedDirectoryOnTheWayGivesEloop(Beneath.Resolver resolver) throws IOException {
        Path root = tree("linked-dir-" + resolver);
        Files.createSymbolicLink(root.resolve("link"), root.resolve("a"));

        assertThat(errnoOf(root, "link/b/file", resolver)).isEqualTo(NativeCallException.ELOOP);
    }

    @ParameterizedTest
    @EnumSource(Beneath.Resolver.class)
    void aSymlinkAsTheLastComponentGivesEloop(Beneath.Resolver resolver) throws IOException {
        Path root = tree("linked-file-" + resolver);
        Files.createSymbolicLink(root.resolve("a/b/link"), root.resolve("a/b/file"));

        assertThat(errnoOf(root, "a/b/link", resolver)).isEqualTo(NativeCallException.ELOOP);
    }

    @ParameterizedTest
    @EnumSource(Beneath.Resolver.class)
    void aSymlinkOpenedAsADirectoryGivesEloop(Beneath.Resolver resolver) throws IOException {
        Path root = tree("linked-directory-" + resolver);
        Files.createSymbolicLink(root.resolve("a/link"), root.resolve("a/b"));
        int errno;
        try (NativeFile directory = NativeFile.openDirectory(root);
             NativeFile opened = Beneath.open(directory, LinuxPath.ofText("a/link"),
                     LibC.O_RDONLY | LinuxConstants.running().oDirectory(), false, resolver)) {
            errno = 0;
        } catch (NativeCallException e) {
            errno = e.errno();
        }

        assertThat(errno).isEqualTo(NativeCallException.ELOOP);
    }

    @ParameterizedTest
    @EnumSource(Beneath.Resolver.class)
    void dotDotAndAbsolutePathsGiveExdev(Beneath.Resolver resolver) throws IOException {
        Path root = tree("escape-" + resolver);

        assertThat(List.of(errnoOf(root.resolve("a"), "../a/b/file", resolver),
                errnoOf(root, root.resolve("a/b/file").toString(), resolver)))
                .containsOnly(NativeCallException.EXDEV);
    }

    @ParameterizedTest
    @EnumSource(Beneath.Resolver.class)
    void anotherMountBelowIsEnteredOnlyWhenAllowed(Beneath.Resolver resolver) throws IOException {
        Files.writeString(fs.path("on-the-mount"), "mounted");
        Path above = fs.mountPoint().getParent();
        String below = fs.mountPoint().getFileName() + "/on-the-mount";

        assertThat(errnoOf(above, below, resolver)).isEqualTo(NativeCallException.EXDEV);
        try (NativeFile file = open(above, below, resolver, true)) {
            assertThat(file.status().device()).isEqualTo(fs.deviceNumber());
        }
    }

    /**
     * A thread swaps {@code a} for a symlink to a decoy tree with a file of the same name, over and over, while the
     * file is opened: each open gives the real file or fails (ELOOP, ENOENT), never the decoy.
     */
    @ParameterizedTest
    @EnumSource(Beneath.Resolver.class)
    void aDirectorySwappedForASymlinkWhileOpeningNeverGivesAnotherFile(Beneath.Resolver resolver) throws Exception {
        Path root = tree("race-" + resolver);
        Path decoy = Files.createDirectories(fs.path("decoy-" + resolver + "/b"));
        Files.writeString(decoy.resolve("file"), "decoy");
        long real = FileStatus.ofPath(root.resolve("a/b/file")).inode();
        AtomicBoolean running = new AtomicBoolean(true);
        List<Throwable> swapFailures = new ArrayList<>();
        Thread swapper = new Thread(() -> {
            try {
                while (running.get()) {
                    Files.move(root.resolve("a"), root.resolve("a.away"));
                    Files.createSymbolicLink(root.resolve("a"), decoy.getParent());
                    Files.delete(root.resolve("a"));
                    Files.move(root.resolve("a.away"), root.resolve("a"));
                }
            } catch (IOException | RuntimeException e) {
                swapFailures.add(e);
            }
        }, "symlink-swapper");
        swapper.start();
        List<Long> opened = new ArrayList<>();
        int refused = 0;
        try {
            for (int i = 0; i < 20_000; i++) {
                try (NativeFile file = open(root, "a/b/file", resolver, false)) {
                    opened.add(file.status().inode());
                } catch (NativeCallException e) {
                    assertThat(e.errno()).isIn(NativeCallException.ELOOP, NativeCallException.ENOENT);
                    refused++;
                }
            }
        } finally {
            running.set(false);
            swapper.join();
        }

        assertThat(swapFailures).isEmpty();
        assertThat(refused).as("opens that met the symlink").isPositive();
        assertThat(opened).isNotEmpty().containsOnly(real);
    }
}
