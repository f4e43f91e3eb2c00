package io.daxguard.xfs;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.FailureRange;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.Holder;
import io.daxguard.spi.Owner;
import io.daxguard.spi.PluginContext;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.Privileges;
import io.daxguard.testkit.ScratchFilesystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Through the XFS plugin (rmapbt=0, reflink=1: indexed, answers not remembered, so nothing vouched): an eventless
 * dedupe (read-only descriptor) right after the first build. The engine with its defaults names a wrong and misses a
 * sharer here (EventlessDedupeRightAfterABuildAdversarialTest); the plugin must not. Ground truth FIEMAP. (Held in the review.)
 */
@Tag("mount")
class XfsIndexedDedupeRightAfterABuildAdversarialTest {
    @RegisterExtension
    static final ScratchFilesystem XFS = ScratchFilesystem.xfs().mkfsOptions("-m", "rmapbt=0,reflink=1").build();

    @Test
    void anEventlessDedupeRightAfterTheBuildIsAnsweredAsTheFilesMapNow() throws Exception {
        Privileges.requireRootLoopAnd("xfs_io");
        Path source = XfsFixtures.writeSynced(XFS.path("source"), 16);
        Path destination = XFS.path("destination");
        Files.copy(source, destination);
        XfsFixtures.sync(destination);
        FiemapExtent old = XfsFixtures.dataExtents(destination).get(0);
        try (Holder holder = new XfsPlugin().attach(XfsFixtures.mountOf(XFS),
                PluginContext.of(System.getLogger("test")))) {
            assertThat(holder.awaitReverseMap(Duration.ofMinutes(2))).as("index built").isTrue();
            Command.run("xfs_io", "-r", "-c", "dedupe " + source + " 0 0 65536", destination.toString());
            FiemapExtent shared = XfsFixtures.dataExtents(source).get(0);
            assertThat(XfsFixtures.dataExtents(destination).get(0).physical()).as("precondition: deduped")
                    .isEqualTo(shared.physical());

            assertThat(inodes(holder.notifyFailure(FailureRange.of(old.physical(), XfsFixtures.BLOCK))))
                    .doesNotContain(inode(destination));
            assertThat(inodes(holder.notifyFailure(FailureRange.of(shared.physical(), XfsFixtures.BLOCK))))
                    .containsExactlyInAnyOrder(inode(source), inode(destination));
        }
    }

    private static long inode(Path file) throws Exception {
        return (Long) Files.getAttribute(file, "unix:ino");
    }

    private static List<Long> inodes(List<Owner> owners) {
        return owners.stream().filter(FileOwner.class::isInstance).map(o -> ((FileOwner) o).inode()).toList();
    }
}
