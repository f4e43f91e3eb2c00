package io.daxguard.support.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daxguard.testkit.Command;
import io.daxguard.testkit.OpenDescriptors;
import io.daxguard.testkit.ScratchFilesystem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** fanotify on a real ext4 on a loop device: which changes count, and that watching never pins the filesystem. */
@Tag("mount")
class FilesystemChangesTest {
    @RegisterExtension
    static final ScratchFilesystem fs = ScratchFilesystem.ext4().build();

    private static int files;

    private static Path freshFile() throws IOException {
        return Files.write(fs.path("changes-" + (++files)), new byte[8192]);
    }

    @FunctionalInterface
    private interface Action {
        void run() throws IOException;
    }

    /** The changes a fresh watch counts while {@code action} runs. */
    private static long changesDuring(Action action) throws IOException {
        try (FilesystemChanges changes = FilesystemChanges.watch(fs.mountPointBytes())) {
            long before = changes.changesSince();
            action.run();
            return changes.changesSince() - before;
        }
    }

    @Test
    void countsNothingWhenNothingChanged() throws IOException {
        assertThat(changesDuring(() -> { })).isZero();
    }

    @Test
    void countsNoChangeForReadingAFile() throws IOException {
        Path file = freshFile();

        assertThat(changesDuring(() -> Files.readAllBytes(file))).isZero();
    }

    @Test
    void countsAWrite() throws IOException {
        Path file = freshFile();

        assertThat(changesDuring(() -> Files.write(file, new byte[4096]))).isPositive();
    }

    @Test
    void countsNoWriteOfAQuietThread() throws Exception {
        Path file = freshFile();

        assertThat(onQuietThread(() -> fileChangesDuring(() -> Files.write(file, new byte[4096])))).isZero();
    }

    @Test
    void countsAWriteOfAnotherThreadWhileOneIsQuiet() throws Exception {
        Path quiet = freshFile();
        Path loud = freshFile();

        assertThat(onQuietThread(() -> fileChangesDuring(() -> {
            Files.write(quiet, new byte[4096]);
            Thread other = new Thread(() -> {
                try {
                    Files.write(loud, new byte[4096]);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            other.start();
            try {
                other.join();
            } catch (InterruptedException e) {
                throw new java.io.InterruptedIOException();
            }
        }))).isPositive();
    }

    /** As {@link #changesDuring}, without changes of the mount table (other tests of the host mount at will). */
    private static long fileChangesDuring(Action action) throws IOException {
        try (FilesystemChanges changes = FilesystemChanges.watch(fs.mountPointBytes())) {
            changes.changesSince();
            long before = changes.fileChangesSeen();
            action.run();
            changes.changesSince();
            return changes.fileChangesSeen() - before;
        }
    }

    /** Counts {@code count} with this thread marked quiet (events are matched to threads when they are read). */
    private static long onQuietThread(java.util.concurrent.Callable<Long> count) throws Exception {
        FilesystemChanges.quietCurrentThread();
        try {
            return count.call();
        } finally {
            FilesystemChanges.unquietCurrentThread();
        }
    }

    @Test
    void countsARename() throws IOException {
        Path file = freshFile();

        assertThat(changesDuring(() -> Files.move(file, fs.path("renamed-" + files)))).isPositive();
    }

    @Test
    void countsAPunchedHole() throws IOException {
        Path file = freshFile();

        assertThat(changesDuring(() -> Command.run("fallocate", "--punch-hole", "--offset", "0", "--length", "4096",
                file.toString()))).isPositive();
    }

    @Test
    void countsAMountOverOneOfItsDirectories() throws IOException {
        Path covered = java.nio.file.Files.createDirectory(fs.path("covered-" + (++files)));
        try {
            assertThat(changesDuring(() -> Command.run("mount", "-t", "tmpfs", "none", covered.toString())))
                    .isPositive();
        } finally {
            Command.tryRun("umount", covered.toString());
        }
    }

    @Test
    void knowsNoChangedFilesBeforeItWasFirstAskedForThem() throws IOException {
        try (FilesystemChanges changes = FilesystemChanges.watch(fs.mountPointBytes())) {
            Files.write(freshFile(), new byte[4096]);

            assertThat(changes.takeChangedFiles().files()).isNull();
        }
    }

    @Test
    void countsNoMountElsewhere() throws IOException {
        Path elsewhere = Files.createTempDirectory(Path.of("/run"), "daxguard-elsewhere-");
        try {
            assertThat(changesDuring(() -> {
                Command.run("mount", "-t", "tmpfs", "none", elsewhere.toString());
                Command.run("umount", elsewhere.toString());
            })).isZero();
        } finally {
            Command.tryRun("umount", elsewhere.toString());
            Files.deleteIfExists(elsewhere);
        }
    }

    @Test
    void namesTheFileWrittenAndTheDirectoryOfANewNameByTheirHandles() throws IOException {
        Path written = freshFile();
        Path directory = Files.createDirectory(fs.path("names-" + (++files)));
        try (FilesystemChanges changes = FilesystemChanges.watch(fs.mountPointBytes())) {
            changes.takeChangedFiles();
            Files.write(written, new byte[4096]);
            Files.write(directory.resolve("new"), new byte[0]);

            FilesystemChanges.ChangedFiles taken = changes.takeChangedFiles();

            // The new file itself is named too: its writable descriptor was closed (FAN_CLOSE_WRITE).
            assertThat(inodesOf(taken.files())).containsExactlyInAnyOrder(inodeOf(written), inodeOf(directory),
                    inodeOf(directory.resolve("new")));
            assertThat(taken.fileChanges()).isEqualTo(changes.fileChangesSeen());
        }
    }

    @Test
    void startsANewSetOfChangedFilesAtEachTake() throws IOException {
        Path first = freshFile();
        Path second = freshFile();
        try (FilesystemChanges changes = FilesystemChanges.watch(fs.mountPointBytes())) {
            changes.takeChangedFiles();
            Files.write(first, new byte[4096]);
            changes.takeChangedFiles();
            Files.write(second, new byte[4096]);

            assertThat(inodesOf(changes.takeChangedFiles().files())).containsExactly(inodeOf(second));
        }
    }

    @Test
    void givesAStaleHandleOfADeletedFile() throws IOException {
        Path doomed = freshFile();
        try (FilesystemChanges changes = FilesystemChanges.watch(fs.mountPointBytes())) {
            changes.takeChangedFiles();
            Files.write(doomed, new byte[4096]);
            FileHandle handle = changes.takeChangedFiles().files().iterator().next();
            Files.delete(doomed);

            try (NativeFile mount = NativeFile.openDirectory(fs.mountPointBytes())) {
                assertThatThrownBy(() -> mount.openHandle(handle, NativeFile.HandleAccess.PATH))
                        .isInstanceOfSatisfying(NativeCallException.class,
                                e -> assertThat(e.isStale()).as("stale: %s", e.getMessage()).isTrue());
            }
        }
    }

    @Test
    void namesTheInodeNumberOfAChangedFileInItsHandleEvenOnceTheFileIsDeleted() throws IOException {
        Path doomed = freshFile();
        long inode = inodeOf(doomed);
        try (FilesystemChanges changes = FilesystemChanges.watch(fs.mountPointBytes())) {
            changes.takeChangedFiles();
            Files.write(doomed, new byte[4096]);
            FileHandle handle = changes.takeChangedFiles().files().iterator().next();
            Files.delete(doomed);

            assertThat(handle.inodeNumber()).hasValue(inode);
        }
    }

    private static Set<Long> inodesOf(Set<FileHandle> handles) throws IOException {
        Set<Long> inodes = new HashSet<>();
        try (NativeFile mount = NativeFile.openDirectory(fs.mountPointBytes())) {
            for (FileHandle handle : handles) {
                try (NativeFile file = mount.openHandle(handle, NativeFile.HandleAccess.PATH)) {
                    inodes.add(file.status().inode());
                }
            }
        }
        return inodes;
    }

    private static long inodeOf(Path file) throws IOException {
        return (Long) Files.getAttribute(file, "unix:ino");
    }

    @Test
    void keepsNoDescriptorOnTheFilesystem() throws IOException {
        try (FilesystemChanges changes = FilesystemChanges.watch(fs.mountPointBytes())) {
            Files.write(freshFile(), new byte[4096]);
            changes.changesSince();

            assertThat(OpenDescriptors.targets()).noneMatch(target -> target.startsWith(fs.mountPoint().toString()));
        }
    }

    @Test
    void letsTheFilesystemBeUnmountedWhileWatched() throws IOException {
        try (FilesystemChanges changes = FilesystemChanges.watch(fs.mountPointBytes())) {
            Files.write(freshFile(), new byte[4096]);

            int exit = Command.tryRun("umount", fs.mountPoint().toString()).exitCode();
            if (exit == 0) {
                // Mounted again so the other tests and the fixture's own teardown find it where they left it.
                Command.run("mount", "-t", "ext4", fs.device().toString(), fs.mountPoint().toString());
            }

            assertThat(exit).as("umount exit code while watched").isZero();
        }
    }
}
