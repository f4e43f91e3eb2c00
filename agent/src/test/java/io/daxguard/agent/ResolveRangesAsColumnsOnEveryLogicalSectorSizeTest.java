package io.daxguard.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.jmx.ObjectNames;
import io.daxguard.testkit.FaultyDisk;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code resolveRangesAsColumns} on a disk of each logical sector size (XFS and ext4 on 512 and 4096, XFS on 16 KiB):
 * a file's first block, one logical sector inside the file, the superblock and the device's last logical sector
 * (free) are answered as {@code resolve} answers each alone.
 */
@Tag("mount")
class ResolveRangesAsColumnsOnEveryLogicalSectorSizeTest {
    @TempDir
    static Path home;
    private static RemoteAgent running;

    @BeforeAll
    static void startAgent() throws Exception {
        running = RemoteAgent.start(home, "control", "");
    }

    @AfterAll
    static void stopAgent() throws Exception {
        if (running != null) {
            running.close();
        }
    }

    @LogicalSectorSizes.OnEveryLogicalSectorSize
    void columnsAnswerWhatResolveAnswersOnEveryLogicalSectorSize(String type, int logicalSectorSize) throws Exception {
        try (FaultyDisk disk = LogicalSectorSizes.faultyDisk(type, logicalSectorSize).create()) {
            Path file = disk.path("data.bin");
            AgentFixture.writeFile(file, 256 * 1024, 41);
            running.connection().invoke(ObjectNames.agent(), "refreshTopology", new Object[0], new String[0]);
            ObjectName filesystem = ObjectNames.filesystem(disk.mountPoint().toString());
            assertThat(running.connection().invoke(filesystem, "awaitReverseMap", new Object[] {60},
                    new String[] {"int"})).isEqualTo(true);
            long fileStart = disk.sectorOf(file, 0) * 512;
            long inside = LogicalSectorSizes.logicalSectorStart(disk.sectorOf(file, 128 * 1024) * 512,
                    logicalSectorSize);
            long deviceBytes = Long.parseLong(java.nio.file.Files.readString(Path.of("/sys/class/block",
                    disk.deviceName(), "size")).strip()) * 512;
            long[] offsets = {fileStart, inside, 0, deviceBytes - logicalSectorSize};
            long[] lengths = {Math.max(4096, logicalSectorSize), logicalSectorSize, logicalSectorSize,
                logicalSectorSize};

            CompositeData columns = (CompositeData) running.connection().invoke(filesystem, "resolveRangesAsColumns",
                    new Object[] {offsets, lengths}, new String[] {"[J", "[J"});

            List<String> fromColumns = new ArrayList<>();
            int[] range = (int[]) columns.get("range");
            for (int row = 0; row < range.length; row++) {
                fromColumns.add(range[row] + " " + ((String[]) columns.get("kind"))[row] + " "
                        + ((long[]) columns.get("inode"))[row] + " "
                        + Arrays.toString(((String[][]) columns.get("paths"))[row]) + " "
                        + ((String[]) columns.get("structure"))[row]);
            }
            List<String> alone = new ArrayList<>();
            for (int i = 0; i < offsets.length; i++) {
                for (CompositeData owner : (CompositeData[]) running.connection().invoke(filesystem, "resolve",
                        new Object[] {offsets[i], lengths[i]}, new String[] {"long", "long"})) {
                    alone.add(i + " " + owner.get("kind") + " " + owner.get("inode") + " "
                            + Arrays.toString((String[]) owner.get("paths")) + " " + owner.get("structure"));
                }
            }
            assertThat(fromColumns).containsExactlyElementsOf(alone)
                    .anyMatch(row -> row.startsWith("0 file ") && row.contains("[/data.bin]"))
                    .anyMatch(row -> row.startsWith("1 file ") && row.contains("[/data.bin]"))
                    .anyMatch(row -> row.startsWith("2 metadata "))
                    .anyMatch(row -> row.startsWith("3 free space "));
        }
    }
}
