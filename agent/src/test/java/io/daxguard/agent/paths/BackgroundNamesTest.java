package io.daxguard.agent.paths;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.ledger.AffectedOwner;
import io.daxguard.agent.owners.OwnerLookup;
import io.daxguard.agent.plugins.AttachedFilesystem;
import io.daxguard.agent.plugins.Filesystems;
import io.daxguard.agent.plugins.PluginHost;
import io.daxguard.agent.topology.TopologyReader;
import io.daxguard.spi.FailureRange;
import io.daxguard.spi.LinuxPath;
import io.daxguard.support.linux.Fiemap;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.support.linux.FileStatus;
import io.daxguard.support.linux.NativeFile;
import io.daxguard.testkit.Privileges;
import io.daxguard.testkit.ScratchFilesystem;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * On XFS with rmapbt (its holder names inodes, never paths): names are gathered in the background at attach and
 * after a change, so a question with paths walks nothing on its own thread.
 */
@Tag("mount")
class BackgroundNamesTest {
    @RegisterExtension
    static final ScratchFilesystem XFS = ScratchFilesystem.xfs().mkfsOptions("-m", "rmapbt=1").build();
    private static final Duration WAIT = Duration.ofSeconds(30);

    @BeforeAll
    static void requireRoot() {
        Privileges.requireRootLoopAnd("mkfs.xfs");
    }

    @Test
    void afterAttachAndTheBackgroundWalkAQuestionWithPathsWalksNothing() throws Exception {
        Path file = writeSynced(XFS.path("dir-" + System.nanoTime()).resolve("file"));
        try (Filesystems filesystems = new Filesystems(PluginHost.load(getClass().getClassLoader()),
                List.of(XFS.mountPoint())); OwnerLookup lookup = new OwnerLookup(filesystems)) {
            filesystems.sync(TopologyReader.system().read());
            AttachedFilesystem xfs = filesystems.all().stream().filter(fs -> fs.holder().isPresent()).findFirst()
                    .orElseThrow();
            assertThat(xfs.holder().orElseThrow().pathNames()).as("precondition: the holder keeps no names").isEmpty();
            assertThat(xfs.paths().awaitWalks(1, WAIT)).as("walked in the background").isTrue();
            long walks = xfs.paths().walks();

            List<AffectedOwner> owners = lookup.resolve(xfs, FailureRange.of(firstBlockOf(file), 4096));

            assertThat(owners).anySatisfy(owner -> assertThat(owner.paths()).contains("/" + XFS.mountPoint()
                    .relativize(file)));
            assertThat(xfs.paths().walks()).isEqualTo(walks);
        }
    }

    @Test
    void aFileCreatedAfterTheWalkIsNamedByTheNextBackgroundWalkNotByTheQuestion() throws Exception {
        FilePaths paths = new FilePaths(LinuxPath.of(XFS.mountPoint()));
        try (BackgroundNames names = new BackgroundNames(Duration.ofMillis(20), Duration.ZERO)) {
            names.keep(paths);
            assertThat(paths.awaitWalks(1, WAIT)).as("the first background walk").isTrue();
            long walked = paths.walks();

            Path file = writeSynced(XFS.path("late-" + System.nanoTime()));
            long inode = FileStatus.ofPath(file).inode();
            assertThat(paths.awaitWalks(walked + 1, WAIT)).as("walked again after the change").isTrue();
            long walks = paths.walks();
            Map<Long, List<String>> named = paths.pathsOf(List.of(inode));

            assertThat(named).containsEntry(inode, List.of("/" + file.getFileName()));
            assertThat(paths.walks()).isEqualTo(walks);
        }
    }

    private static Path writeSynced(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(new byte[4 * 4096]));
            channel.force(true);
        }
        return file;
    }

    private static long firstBlockOf(Path file) throws IOException {
        List<FiemapExtent> extents = new ArrayList<>();
        try (NativeFile open = NativeFile.openReadOnly(file)) {
            Fiemap.map(open, 0, Long.MAX_VALUE, Fiemap.FLAG_SYNC, 16, extents::add);
        }
        return extents.get(0).physical();
    }
}
