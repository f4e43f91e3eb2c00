package io.daxguard.support.index;

import static io.daxguard.support.index.IncrementalRefreshAdversarialContract.extentsOf;
import static io.daxguard.support.index.IncrementalRefreshAdversarialContract.fileOwnerInodes;
import static io.daxguard.support.index.IncrementalRefreshAdversarialContract.indexedDataExtents;
import static io.daxguard.support.index.IncrementalRefreshAdversarialContract.inodeOf;
import static io.daxguard.support.index.IncrementalRefreshAdversarialContract.liveDataExtents;
import static io.daxguard.support.index.LiveReverseMapContract.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.LinuxPath;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.support.linux.NativeFile;
import io.daxguard.testkit.Privileges;
import io.daxguard.testkit.ScratchFilesystem;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Changes made while an incremental refresh is half done: the refresh is held (by the plugin's extra-extent hook, on
 * the index thread) while it maps a new file of a changed directory, after that directory was listed; meanwhile a
 * file of that directory is moved to a directory the refresh does not list, another deleted, a third made. The next
 * refresh must leave every file at its live blocks under its live names only. (Held up in the review.)
 */
@Tag("mount")
class ChangesDuringARefreshAdversarialTest {
    @RegisterExtension
    static final ScratchFilesystem EXT4 = ScratchFilesystem.ext4().mkfsOptions("-b", "4096").build();

    @BeforeAll
    static void requireRoot() {
        Privileges.requireRootLoopAnd("mount");
    }

    @Test
    void changesMadeWhileARefreshIsHalfDoneAreAllInTheNextRefresh() throws Exception {
        Path here = Files.createDirectory(EXT4.path("here"));
        Path there = Files.createDirectory(EXT4.path("there"));
        Path moving = write(here.resolve("moving"), 65536, 1);
        Path deleted = write(here.resolve("deleted"), 65536, 2);
        RefreshGate gate = new RefreshGate();
        try (LiveReverseMap map = LiveReverseMap.start(EXT4.mountPointBytes(), IndexOptions.defaults()
                .withExtras(gate), IncrementalRefreshAdversarialContract.LOGGER, p -> {
                })) {
            assertThat(map.awaitIndex(Duration.ofMinutes(5))).isTrue();
            long movingInode = inodeOf(moving);
            long deletedInode = inodeOf(deleted);
            Path held = write(here.resolve("held"), 65536, 3);
            gate.holdAt(inodeOf(held));
            FiemapExtent heldExtent = extentsOf(held).get(0);
            CompletableFuture<List<Long>> first = CompletableFuture.supplyAsync(() -> {
                try {
                    return fileOwnerInodes(map.ownersOfAllocated(heldExtent.physical(),
                            heldExtent.physical() + 4096));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertThat(gate.reached.await(1, TimeUnit.MINUTES)).as("the refresh reached the held file").isTrue();
            Path moved = Files.move(moving, there.resolve("moved"));
            Files.delete(deleted);
            Path made = write(here.resolve("made"), 65536, 4);
            gate.release.countDown();
            assertThat(first.get(1, TimeUnit.MINUTES)).containsExactly(inodeOf(held));

            FiemapExtent madeExtent = extentsOf(made).get(0);
            assertThat(fileOwnerInodes(map.ownersOfAllocated(madeExtent.physical(), madeExtent.physical() + 4096)))
                    .containsExactly(inodeOf(made));
            assertThat(map.rebuilds()).containsEntry(RebuildCause.INCREMENTAL, 2L);
            ExtentIndex index = map.index().orElseThrow();
            assertThat(index.pathsOf(movingInode)).containsExactly(LinuxPath.of(moved));
            assertThat(index.pathsOf(deletedInode)).doesNotContain(LinuxPath.of(deleted)); // made may have its inode
            assertThat(index.pathsOf(inodeOf(made))).containsExactly(LinuxPath.of(made));
            for (Path file : List.of(moved, held, made)) {
                assertThat(indexedDataExtents(index, inodeOf(file))).as("extents of %s", file)
                        .isEqualTo(liveDataExtents(file));
            }
        }
    }

    /** Holds the index thread while it maps one inode, once, until released. */
    private static final class RefreshGate implements ExtraExtentSource {
        final CountDownLatch reached = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        private volatile long heldInode = -1;

        void holdAt(long inode) {
            heldInode = inode;
        }

        @Override
        public void visit(long inode, NativeFile file, Sink sink) throws IOException {
            if (inode == heldInode && Thread.currentThread().getName().startsWith("daxguard-index")) {
                heldInode = -1;
                reached.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("gate closed with the map");
                }
            }
        }
    }
}
