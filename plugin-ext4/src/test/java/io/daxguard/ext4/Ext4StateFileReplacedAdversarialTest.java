package io.daxguard.ext4;

import static io.daxguard.ext4.Ext4Files.BLOCK;
import static io.daxguard.ext4.Ext4Files.extentsOf;
import static io.daxguard.ext4.Ext4Files.fileOwnerInodes;
import static io.daxguard.ext4.Ext4Files.inodeOf;
import static io.daxguard.ext4.Ext4Files.mountOf;
import static io.daxguard.ext4.Ext4Files.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.FailureRange;
import io.daxguard.spi.PluginContext;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.testkit.FixedPluginContext;
import io.daxguard.testkit.Privileges;
import io.daxguard.testkit.ScratchFilesystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The agent's state directory on the filesystem it indexes (the default {@code /var/lib/daxguard} on an ext4 root),
 * and the agent restarted: the catch-up build walks the whole filesystem, the saved index of the previous run
 * included, then saves its own index by renaming a new file over it. That save is a quiet write (not counted as a
 * change, so it does not make the index stale), so the index stays current, and vouches for the replaced file's plain
 * extents: the deleted file is named as the owner of its freed blocks. Ground truth: the replaced inode has no name
 * and no link; FIEMAP of the new saved file.
 */
@Tag("mount")
class Ext4StateFileReplacedAdversarialTest {
    @RegisterExtension
    static final ScratchFilesystem FILESYSTEM = ScratchFilesystem.ext4().mkfsOptions("-b", "4096").build();

    @BeforeAll
    static void requireTools() {
        Privileges.requireRootLoopAnd("sync");
    }

    /** FINDING against vouching (HIGH, wrong owner: a deleted file; fixed by reverting it). */
    @Test
    void neverNamesThePreviousSavedIndexAfterTheCatchUpBuildSavedOverIt() throws Exception {
        Path data = Files.createDirectory(FILESYSTEM.path("data"));
        for (int file = 0; file < 64; file++) {
            write(data.resolve("file-" + file), 0, 4 * BLOCK, file); // a saved index of more than a block or two
        }
        Path state = Files.createDirectory(FILESYSTEM.path("state"));
        Path saved;
        try (Ext4Holder first = attach(state)) {
            saved = awaitSavedIndexOtherThan(state, -1);
        }
        long previousInode = inodeOf(saved);
        FiemapExtent previous = extentsOf(saved).get(0);

        try (Ext4Holder restarted = attach(state)) {
            Path replacement = awaitSavedIndexOtherThan(state, previousInode);
            assertThat(extentsOf(replacement)).as("precondition: the new saved index is elsewhere")
                    .noneMatch(extent -> extent.physical() <= previous.physical()
                            && previous.physical() < extent.physicalEnd());

            assertThat(fileOwnerInodes(restarted.notifyFailure(FailureRange.of(previous.physical(), BLOCK))))
                    .doesNotContain(previousInode);
        }
    }

    private static Ext4Holder attach(Path state) throws Exception {
        PluginContext context = FixedPluginContext.withState("test", Optional.of(state));
        Ext4Holder holder = (Ext4Holder) new Ext4Plugin().attach(mountOf(FILESYSTEM), context);
        assertThat(holder.awaitIndex(Duration.ofMinutes(5))).as("index ready").isTrue();
        return holder;
    }

    /** The saved index file once its inode is not {@code otherThan}: a save finished after the build. */
    private static Path awaitSavedIndexOtherThan(Path state, long otherThan) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (true) {
            try (var files = Files.list(state)) {
                for (Path file : files.filter(f -> f.getFileName().toString().matches("index-.*\\.bin")).toList()) {
                    if (inodeOf(file) != otherThan) {
                        return file;
                    }
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no new saved index in " + state);
            }
            Thread.onSpinWait();
        }
    }
}
