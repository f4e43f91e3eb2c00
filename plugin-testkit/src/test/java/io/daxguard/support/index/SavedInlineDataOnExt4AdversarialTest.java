package io.daxguard.support.index;

import static io.daxguard.support.index.LiveReverseMapContract.write;
import static io.daxguard.support.index.SavedIndexAttacks.BLOCK;
import static io.daxguard.support.index.SavedIndexAttacks.extentsOf;
import static io.daxguard.support.index.SavedIndexAttacks.inodeOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.FileOwner;
import io.daxguard.support.index.SavedIndexAttacks.BuildGate;
import io.daxguard.support.index.SavedIndexAttacks.RecordingLogger;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.Privileges;
import io.daxguard.testkit.ScratchFilesystem;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ext4 inline data and the saved index: no allocation map says whether an inode table block holds inline data, so a
 * file made inline while the agent was down is known only to the catch-up build. Asked from the saved index before
 * that build finished, the inode table block holding the new file must still name it.
 */
@Tag("mount")
class SavedInlineDataOnExt4AdversarialTest {
    private final List<LiveReverseMap> maps = new ArrayList<>();
    private final ExecutorService asker = Executors.newSingleThreadExecutor();
    @TempDir
    Path state;

    @BeforeAll
    static void requireTools() {
        Privileges.requireRootLoopAnd("mkfs.ext4", "blkid");
    }

    @AfterEach
    void closeMaps() throws IOException {
        asker.shutdownNow();
        for (LiveReverseMap map : maps) {
            map.close();
        }
    }

    private LiveReverseMap started(ScratchFilesystem filesystem, SavedIndexFile saved, ExtraExtentSource extras) {
        LiveReverseMap map = LiveReverseMap.start(filesystem.mountPointBytes(),
                IndexOptions.defaults().withExtras(extras).withSavedIndex(Optional.of(saved)), new RecordingLogger(),
                p -> {
                });
        maps.add(map);
        return map;
    }

    private static FiemapExtent inline(Path file) throws IOException {
        FiemapExtent extent = extentsOf(file).get(0);
        assertThat(extent.isInline()).as("precondition: %s inline", file).isTrue();
        return extent;
    }

    @Test
    void aFileMadeInlineWhileTheAgentWasDownIsNamedInItsInodeTableBlock() throws Exception {
        try (ScratchFilesystem filesystem = ScratchFilesystem.ext4().mkfsOptions("-b", "4096", "-O", "inline_data")
                .create()) {
            String uuid = Command.run("blkid", "-s", "UUID", "-o", "value", filesystem.device().toString()).strip();
            SavedIndexFile saved = SavedIndexFile.in(state, uuid, filesystem.deviceNumber());
            Path before = write(filesystem.path("before"), 40, 1);
            LiveReverseMap first = started(filesystem, saved, ExtraExtentSource.NONE);
            assertThat(first.awaitIndex(Duration.ofMinutes(5))).isTrue();
            first.close();
            Path whileDown = write(filesystem.path("while-down"), 40, 2);
            long block = inline(whileDown).physical() / BLOCK * BLOCK;
            assertThat(inline(before).physical() / BLOCK * BLOCK).as("precondition: one inode table block")
                    .isEqualTo(block);
            BuildGate gate = new BuildGate();
            LiveReverseMap map = started(filesystem, saved, gate);
            assertThat(map.awaitIndex(Duration.ofMinutes(1))).isTrue();
            assertThat(map.index().orElseThrow().loaded()).isTrue();

            List<Long> owners = SavedIndexAttacks.answerThroughTheWindow(() -> map.inlineOwners(block, block + BLOCK)
                    .stream().map(FileOwner::inode).distinct().toList(), gate, asker);

            assertThat(owners).contains(inodeOf(before), inodeOf(whileDown));
        }
    }
}
