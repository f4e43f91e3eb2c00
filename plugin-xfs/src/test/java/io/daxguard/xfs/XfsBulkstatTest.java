package io.daxguard.xfs;

import static io.daxguard.xfs.XfsFixtures.generation;
import static io.daxguard.xfs.XfsFixtures.inode;
import static io.daxguard.xfs.XfsFixtures.writeSynced;
import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.support.linux.NativeFile;
import io.daxguard.testkit.ScratchFilesystem;
import io.daxguard.xfs.XfsBulkstat.InodeStat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** BULKSTAT and FSGEOMETRY against a real XFS. */
@Tag("mount")
class XfsBulkstatTest {
    @RegisterExtension
    static final ScratchFilesystem fs = ScratchFilesystem.xfs().build();

    @Test
    void statsAnInodeByNumberWithTheGenerationGetversionReports() throws IOException {
        Path file = writeSynced(fs.path("stat-me"), 3);

        try (NativeFile mountPoint = NativeFile.openReadOnly(fs.mountPoint())) {
            assertThat(XfsBulkstat.of(mountPoint, inode(file))).contains(new InodeStat(inode(file), generation(file),
                    (Integer) Files.getAttribute(file, "unix:mode"), 1, 3 * XfsFixtures.BLOCK));
        }
    }

    @Test
    void saysNothingOfAnInodeThatIsNoLongerAllocated() throws IOException {
        Path file = writeSynced(fs.path("delete-me"), 1);
        long inode = inode(file);
        writeSynced(fs.path("allocated-after"), 1);
        Files.delete(file);

        try (NativeFile mountPoint = NativeFile.openReadOnly(fs.mountPoint())) {
            assertThat(XfsBulkstat.of(mountPoint, inode)).isEmpty();
        }
    }

    @Test
    void geometryReportsTheReverseMapAndReflinkMkfsWasAskedFor() throws IOException {
        try (NativeFile mountPoint = NativeFile.openReadOnly(fs.mountPoint())) {
            XfsGeometry geometry = XfsGeometry.of(mountPoint);

            assertThat(geometry).extracting(XfsGeometry::hasReverseMap, XfsGeometry::hasReflink,
                    XfsGeometry::blockSize, XfsGeometry::dataBytes).containsExactly(true, true, 4096, 320L << 20);
        }
    }
}
