package io.daxguard.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.jmx.ObjectNames;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.ScratchFilesystem;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Damage that is not a plain named file: filesystem metadata, and a file with no name left. */
@Tag("mount")
class DamageKindsTest {
    @RegisterExtension
    static final ScratchFilesystem XFS = ScratchFilesystem.xfs().build();

    @RegisterExtension
    @Order(Integer.MAX_VALUE) // after XFS: started once it is mounted, stopped before it is unmounted
    static final RunningAgent AGENT = RunningAgent.started();

    private static String report(long deviceOffset, long bytes) throws Exception {
        return (String) AGENT.remote().invoke(ObjectNames.agent(), "reportFailure",
                new Object[] {XFS.device().getFileName().toString(), deviceOffset / 512, bytes / 512, 5},
                new String[] {"java.lang.String", "long", "long", "int"});
    }

    /** The log's first byte, from xfs_io's GETFSMAP listing (-d: bytes in 512-byte units). */
    private static long logOffset() throws Exception {
        for (String line : Command.run("xfs_io", "-c", "fsmap -d", XFS.mountPoint().toString()).split("\n")) {
            if (line.contains("journalling log")) {
                String range = line.substring(line.indexOf('[') + 1, line.indexOf(']'));
                return Long.parseLong(range.substring(0, range.indexOf('.'))) * 512;
            }
        }
        throw new AssertionError("xfs_io fsmap shows no log");
    }

    @Test
    void aFailureInTheLogMakesTheFilesystemUnhealthyAndNamesTheRepair() throws Exception {
        report(logOffset() + 8192, 4096);

        ObjectName filesystem = ObjectNames.filesystem(XFS.mountPoint().toString());
        CompositeData[] metadata = (CompositeData[]) AGENT.remote().getAttribute(filesystem, "MetadataDamage");
        assertThat(AGENT.remote().getAttribute(filesystem, "Health")).isEqualTo("UNHEALTHY");
        assertThat(metadata).singleElement().satisfies(owner -> {
            assertThat(owner.get("structure")).isEqualTo("xfs.log");
            assertThat((String) owner.get("action")).contains("xfs_repair");
        });
    }

    @Test
    void aFileUnlinkedButStillOpenIsReportedWithoutAName() throws Exception {
        AgentFixture.writeFile(XFS.path("doomed.bin"), 16 * 1024, 7);
        FiemapExtent extent = AgentFixture.extents(XFS.path("doomed.bin")).get(0);
        long inode = (Long) Files.getAttribute(XFS.path("doomed.bin"), "unix:ino");
        try (RandomAccessFile stillOpen = new RandomAccessFile(XFS.path("doomed.bin").toFile(), "r")) {
            Files.delete(XFS.path("doomed.bin"));

            report(extent.physical(), 4096);

            ObjectName file = ObjectNames.damagedFile(XFS.mountPoint().toString(), "(no name) inode " + inode);
            assertThat(AGENT.remote().getAttribute(file, "Inode")).isEqualTo(inode);
            assertThat((String[]) AGENT.remote().getAttribute(file, "Paths")).isEmpty();
        }
    }

    @Test
    void listDamagedFilesPagesThroughTheDamagedFiles() throws Exception {
        for (int i = 0; i < 3; i++) {
            AgentFixture.writeFile(XFS.path("page-" + i + ".bin"), 8192, 10 + i);
            report(AgentFixture.extents(XFS.path("page-" + i + ".bin")).get(0).physical(), 512);
        }
        ObjectName filesystem = ObjectNames.filesystem(XFS.mountPoint().toString());

        CompositeData[] all = (CompositeData[]) AGENT.remote().invoke(filesystem, "listDamagedFiles", new Object[] {0, 1000},
                new String[] {"int", "int"});
        CompositeData[] second = (CompositeData[]) AGENT.remote().invoke(filesystem, "listDamagedFiles", new Object[] {1, 1},
                new String[] {"int", "int"});

        assertThat(second).singleElement().satisfies(page -> assertThat(page.get("path")).isEqualTo(all[1].get("path")));
    }
}
