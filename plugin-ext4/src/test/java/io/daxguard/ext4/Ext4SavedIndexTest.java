package io.daxguard.ext4;

import io.daxguard.testkit.FixedPluginContext;
import static io.daxguard.ext4.Ext4Files.BLOCK;
import static io.daxguard.ext4.Ext4Files.extentsOf;
import static io.daxguard.ext4.Ext4Files.fileOwnerInodes;
import static io.daxguard.ext4.Ext4Files.inodeOf;
import static io.daxguard.ext4.Ext4Files.mountOf;
import static io.daxguard.ext4.Ext4Files.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.FailureRange;
import io.daxguard.spi.LinuxPath;
import io.daxguard.spi.PluginContext;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.testkit.Privileges;
import io.daxguard.testkit.ScratchFilesystem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ext4 plugin keeps its index in the state directory the agent gives it and starts from it (inode-table
 * scanner, GETFSMAP, the whole holder): files created, grown, deleted and renamed while the agent was down are
 * found after the restart, and no block names a file that no longer holds it.
 */
@Tag("mount")
class Ext4SavedIndexTest {
    @RegisterExtension
    static final ScratchFilesystem FILESYSTEM = ScratchFilesystem.ext4().mkfsOptions("-b", "4096").build();
    @TempDir
    Path state;

    @BeforeAll
    static void requireTools() {
        Privileges.requireRootLoopAnd();
    }

    private PluginContext withState() {
        return FixedPluginContext.withState("test", Optional.of(state));
    }

    private Ext4Holder attached() throws Exception {
        Ext4Holder holder = (Ext4Holder) new Ext4Plugin().attach(mountOf(FILESYSTEM), withState());
        if (!holder.awaitIndex(Duration.ofMinutes(5))) {
            holder.close();
            throw new AssertionError("index not ready: " + holder.indexProgress());
        }
        return holder;
    }

    private static List<Long> ownersOf(Ext4Holder holder, long offset) throws IOException {
        return fileOwnerInodes(holder.notifyFailure(FailureRange.of(offset, BLOCK)));
    }

    @Test
    void theIndexIsSavedUnderTheFilesystemsUuidInThePluginsStateDirectory() throws Exception {
        try (Ext4Holder holder = attached()) {
            assertThat(state.resolve("index-" + holder.info().uuid() + "-" + FILESYSTEM.deviceNumber().major() + "."
                    + FILESYSTEM.deviceNumber().minor() + ".bin")).isRegularFile();
        }
    }

    @Test
    void aRestartFromTheSavedIndexFindsWhatChangedWhileTheAgentWasDown() throws Exception {
        Path directory = Files.createDirectory(FILESYSTEM.path("down"));
        Path kept = write(directory.resolve("kept"), 0, 8 * BLOCK, 1);
        Path grown = write(directory.resolve("grown"), 0, 2 * BLOCK, 2);
        Path deleted = write(directory.resolve("deleted"), 0, 48 * BLOCK, 3);
        Path renamed = write(directory.resolve("renamed"), 0, 4 * BLOCK, 4);
        attached().close();
        long deletedInode = inodeOf(deleted);
        List<FiemapExtent> freed = extentsOf(deleted);
        Files.delete(deleted);
        write(grown, 2 * BLOCK, 300 * BLOCK, 5);
        Path renamedNow = Files.move(renamed, directory.resolve("renamed-now"));
        Path created = write(directory.resolve("created"), 0, 64 * BLOCK, 6);

        try (Ext4Holder holder = attached()) {
            List<Path> live = List.of(kept, grown, renamedNow, created);
            for (Path file : live) {
                for (FiemapExtent extent : extentsOf(file)) {
                    for (long block = extent.physical(); block < extent.physicalEnd(); block += BLOCK) {
                        assertThat(ownersOf(holder, block)).as("block %d of %s", block, file)
                                .containsExactly(inodeOf(file));
                    }
                }
            }
            for (FiemapExtent extent : freed) {
                for (long block = extent.physical(); block < extent.physicalEnd(); block += BLOCK) {
                    assertThat(ownersOf(holder, block)).as("block %d of the deleted file %d", block, deletedInode)
                            .isEqualTo(liveOwnersOf(live, block));
                }
            }
            assertThat(holder.pathNames().orElseThrow().pathsOf(List.of(inodeOf(renamedNow))))
                    .hasValue(Map.of(inodeOf(renamedNow), List.of(LinuxPath.ofText("/down/renamed-now"))));
        }
    }

    /** The inode of the file among {@code files} that maps {@code block} now, if one does. */
    private static List<Long> liveOwnersOf(List<Path> files, long block) throws IOException {
        List<Long> owners = new ArrayList<>();
        for (Path file : files) {
            for (FiemapExtent extent : extentsOf(file)) {
                if (extent.physical() <= block && block < extent.physicalEnd()) {
                    owners.add(inodeOf(file));
                }
            }
        }
        return owners;
    }
}
