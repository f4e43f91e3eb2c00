package io.daxguard.support.index;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.FileOwner;
import io.daxguard.support.linux.Fiemap;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.support.linux.NativeFile;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.Privileges;
import io.daxguard.testkit.ScratchFilesystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A clone makes the source's blocks shared without an event for the source, so a refresh after one is a full build:
 * an incremental one would keep the source's old FIEMAP flags (XFS without rmapbt, reflink on as mkfs.xfs makes it).
 */
@Tag("mount")
class IncrementalRefreshOfSharedBlocksOnXfsTest {
    @RegisterExtension
    static final ScratchFilesystem XFS = ScratchFilesystem.xfs().mkfsOptions("-m", "rmapbt=0,reflink=1").build();

    @BeforeAll
    static void requireTools() {
        Privileges.requireRootLoopAnd("cp");
    }

    @Test
    void rebuildsInFullAfterACloneAndNamesBothOwnersOfTheSharedBlock() throws Exception {
        Path source = Files.write(XFS.path("source"), new byte[65536]);
        Command.run("sync");
        try (LiveReverseMap map = LiveReverseMap.start(XFS.mountPointBytes(), ExtraExtentSource.NONE,
                System.getLogger("test"), p -> {
                })) {
            assertThat(map.awaitIndex(Duration.ofMinutes(5))).isTrue();
            Path clone = XFS.path("clone");
            Command.run("cp", "--reflink=always", source.toString(), clone.toString());
            Path written = Files.write(XFS.path("written"), new byte[8192]);
            Command.run("sync");
            FiemapExtent shared = firstExtentOf(clone);

            assertThat(owners(map, firstExtentOf(written))).containsExactly(inodeOf(written));
            assertThat(owners(map, shared)).containsExactlyInAnyOrder(inodeOf(source), inodeOf(clone));
            assertThat(map.rebuilds()).containsEntry(RebuildCause.FILESYSTEM_CHANGED, 1L)
                    .containsEntry(RebuildCause.INCREMENTAL, 0L);
        }
    }

    /** The question about a new file's block refreshes the index; the clone is in the refresh's changed files. */
    private static List<Long> owners(LiveReverseMap map, FiemapExtent extent) throws Exception {
        return map.ownersOfAllocated(extent.physical(), extent.physical() + 4096).stream()
                .filter(FileOwner.class::isInstance).map(owner -> ((FileOwner) owner).inode()).toList();
    }

    private static FiemapExtent firstExtentOf(Path file) throws Exception {
        List<FiemapExtent> extents = new ArrayList<>();
        try (NativeFile open = NativeFile.openReadOnly(file)) {
            Fiemap.map(open, 0, Long.MAX_VALUE, Fiemap.FLAG_SYNC, 64, extents::add);
        }
        return extents.get(0);
    }

    private static long inodeOf(Path file) throws Exception {
        return (Long) Files.getAttribute(file, "unix:ino");
    }
}
