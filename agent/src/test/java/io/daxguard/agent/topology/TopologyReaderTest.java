package io.daxguard.agent.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.LinuxPath;
import io.daxguard.testkit.ScratchFilesystem;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Against the real sysfs and mountinfo, with a partitioned loop disk this test made. */
@Tag("mount")
class TopologyReaderTest {
    @RegisterExtension
    static final ScratchFilesystem XFS = ScratchFilesystem.xfs().partitioned().build();

    @Test
    void seesThePartitionWithItsDiskAndStart() throws Exception {
        Topology topology = TopologyReader.system().read();
        String partition = XFS.device().getFileName().toString();
        String disk = XFS.disk().getFileName().toString();

        BlockDevice device = topology.byName(partition).orElseThrow();

        assertThat(device.parent()).contains(disk);
        assertThat(device.partitionStart()).isEqualTo(XFS.offsetOnDisk());
        assertThat(device.number()).isEqualTo(XFS.deviceNumber());
    }

    @Test
    void seesTheLoopDiskAndItsBackingFile() throws Exception {
        Topology topology = TopologyReader.system().read();

        BlockDevice disk = topology.byName(XFS.disk().getFileName().toString()).orElseThrow();

        assertThat(disk.loopBacking().orElseThrow().file()).isEqualTo(LinuxPath.of(XFS.image()));
        assertThat(disk.kind()).isEqualTo("loop");
    }

    @Test
    void findsTheMountOnThePartition() throws Exception {
        Topology topology = TopologyReader.system().read();

        assertThat(topology.primaryMount(XFS.deviceNumber()).orElseThrow().mountPoint())
                .isEqualTo(XFS.mountPointBytes());
    }
}
