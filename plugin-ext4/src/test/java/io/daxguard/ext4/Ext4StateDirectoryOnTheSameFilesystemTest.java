package io.daxguard.ext4;

import io.daxguard.testkit.FixedPluginContext;
import static io.daxguard.ext4.Ext4Files.BLOCK;
import static io.daxguard.ext4.Ext4Files.mountOf;
import static io.daxguard.ext4.Ext4Files.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.FailureRange;
import io.daxguard.spi.MetadataOwner;
import io.daxguard.spi.PluginContext;
import io.daxguard.spi.ReverseMapStatus;
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
 * The agent's state directory on a filesystem it indexes (the default {@code /var/lib/daxguard} on an ext4 root, which
 * {@code watch: []} holds): the index's own save is a change of that filesystem, so the next inode-table question
 * rebuilds the whole index although no file changed, and that rebuild's save makes the next question (after the
 * 10 s rate limit) rebuild again, for ever. Issue 14's promise: a question about metadata of an unchanged filesystem
 * never rebuilds. Attack finding: this test fails on 63fe2e6 (changed 1).
 */
@Tag("mount")
class Ext4StateDirectoryOnTheSameFilesystemTest {
    @RegisterExtension
    static final ScratchFilesystem FILESYSTEM = ScratchFilesystem.ext4().mkfsOptions("-b", "4096").build();

    @BeforeAll
    static void requireTools() {
        Privileges.requireRootLoopAnd("dumpe2fs");
    }

    @Test
    void theIndexsOwnSaveIntoTheFilesystemItIndexesIsNotAChangeThatRebuildsIt() throws Exception {
        write(Files.createDirectory(FILESYSTEM.path("data")).resolve("file"), 0, 8 * BLOCK, 1);
        Path state = Files.createDirectory(FILESYSTEM.path("state"));
        long inodeTable = E2fsTools.groupZeroBlock(FILESYSTEM.device(), "Inode table");

        try (Ext4Holder holder = (Ext4Holder) new Ext4Plugin().attach(mountOf(FILESYSTEM), stateIn(state))) {
            assertThat(holder.awaitIndex(Duration.ofMinutes(5))).as("index built").isTrue();
            awaitSavedIndexIn(state);
            assertThat(holder.notifyFailure(FailureRange.of(inodeTable * BLOCK, BLOCK)))
                    .as("precondition: an inode-table block").first().isInstanceOf(MetadataOwner.class);

            assertThat(holder.reverseMapStatus().map(ReverseMapStatus::rebuilds).orElseThrow())
                    .containsEntry("first", 1L).containsEntry("changed", 0L).containsEntry("inline", 0L);
        }
    }

    private static void awaitSavedIndexIn(Path state) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (true) {
            try (var files = Files.list(state)) {
                if (files.anyMatch(file -> file.getFileName().toString().matches("index-.*\\.bin"))) {
                    return;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no saved index in " + state);
            }
            Thread.onSpinWait();
        }
    }

    private static PluginContext stateIn(Path directory) {
        return FixedPluginContext.withState("test", Optional.of(directory));
    }
}
