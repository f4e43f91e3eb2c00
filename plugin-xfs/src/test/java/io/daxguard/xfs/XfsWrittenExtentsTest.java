package io.daxguard.xfs;

import static io.daxguard.xfs.XfsFixtures.BLOCK;
import static io.daxguard.xfs.XfsFixtures.dataExtents;
import static io.daxguard.xfs.XfsFixtures.firstOwnedBy;
import static io.daxguard.xfs.XfsFixtures.writeSynced;
import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.Holder;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.ScratchFilesystem;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.xfs.XfsFixtures.AttachedScratchXfs;
import io.daxguard.xfs.XfsFixtures.XfsIoMapping;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The scrubber's input: {@link Holder#forEachWrittenExtent} on a real XFS. */
@Tag("mount")
class XfsWrittenExtentsTest {
    @RegisterExtension
    static final AttachedScratchXfs xfs = new AttachedScratchXfs("xfs_io", "fallocate", "cp");
    private static final ScratchFilesystem fs = xfs.filesystem();

    private record Extent(long physical, long length) {
        long end() {
            return physical + length;
        }
    }

    private static List<Extent> written(long from, long to) throws IOException {
        List<Extent> extents = new ArrayList<>();
        xfs.holder().forEachWrittenExtent(from, to, (physical, length) -> extents.add(new Extent(physical, length)));
        return extents;
    }

    @Test
    void visitsAWrittenFileExtent() throws IOException {
        FiemapExtent extent = dataExtents(writeSynced(fs.path("written"), 6)).get(0);

        assertThat(written(extent.physical(), extent.physicalEnd()))
                .containsExactly(new Extent(extent.physical(), extent.length()));
    }

    @Test
    void trimsExtentsToTheWindow() throws IOException {
        FiemapExtent extent = dataExtents(writeSynced(fs.path("trimmed"), 6)).get(0);

        assertThat(written(extent.physical() + BLOCK + 1, extent.physical() + 2 * BLOCK))
                .containsExactly(new Extent(extent.physical() + BLOCK + 1, BLOCK - 1));
    }

    @Test
    void skipsUnwrittenPreallocation() throws IOException {
        Path file = fs.path("preallocated");
        Command.run("fallocate", "--length", String.valueOf(8 * BLOCK), file.toString());
        FiemapExtent extent = dataExtents(file).get(0);

        assertThat(written(extent.physical(), extent.physicalEnd())).isEmpty();
    }

    @Test
    void visitsReflinkedBytesOnce() throws IOException {
        Path original = writeSynced(fs.path("shared"), 4);
        Command.run("cp", "--reflink=always", original.toString(), fs.path("shared-copy").toString());
        FiemapExtent extent = dataExtents(original).get(0);

        assertThat(written(extent.physical(), extent.physicalEnd()))
                .containsExactly(new Extent(extent.physical(), extent.length()));
    }

    @Test
    void skipsCopyOnWriteStaging() throws IOException {
        XfsFixtures.stageCopyOnWrite(writeSynced(fs.path("cow-original"), 256), fs.path("cow-copy"));
        XfsIoMapping staging = firstOwnedBy(fs.mountPoint(), "special_88:7");

        assertThat(written(staging.start(), staging.end())).isEmpty();
    }

    @Test
    void skipsFreeSpace() throws IOException {
        XfsIoMapping free = firstOwnedBy(fs.mountPoint(), "special_0:1");

        assertThat(written(free.start(), free.end())).isEmpty();
    }

    @Test
    void visitsTheWholeFilesystemInOrderInDisjointRunsThatAvoidFreeAndUnwrittenSpace() throws IOException {
        writeSynced(fs.path("whole-a"), 3);
        Path preallocated = fs.path("whole-b");
        Command.run("fallocate", "--length", String.valueOf(8 * BLOCK), preallocated.toString());
        // xfs_io's machine format prints no flags, so the unwritten extent is known by its file.
        String preallocatedOwner = "inode_" + XfsFixtures.inode(preallocated) + "_data";
        List<XfsIoMapping> unwrittenOrFree = XfsFixtures.xfsIoFsmap(fs.mountPoint()).stream()
                .filter(m -> m.owner().equals("special_0:1") || m.owner().equals(preallocatedOwner)).toList();

        List<Extent> extents = written(0, xfs.holder().info().size());

        assertThat(extents).isNotEmpty();
        for (int i = 1; i < extents.size(); i++) {
            assertThat(extents.get(i).physical()).as("run %d starts after the end of the one before", i)
                    .isGreaterThan(extents.get(i - 1).end());
        }
        assertThat(extents).noneMatch(extent -> unwrittenOrFree.stream()
                .anyMatch(m -> m.start() < extent.end() && extent.physical() < m.end()));
    }
}
