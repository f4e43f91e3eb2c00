package io.daxguard.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.jmx.ObjectNames;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.testkit.ScratchFilesystem;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A failure reported on a whole disk reaches the filesystem in its second partition. */
@Tag("mount")
class PartitionRoutingTest {
    @RegisterExtension
    static final ScratchFilesystem XFS = ScratchFilesystem.xfs().partitioned().build();

    @Test
    void aWholeDiskTupleIsRoutedToThePartitionWithThePartitionRelativeOffset() throws Exception {
        AgentFixture.writeFile(XFS.path("in-partition.bin"), 32 * 1024, 3);
        FiemapExtent extent = AgentFixture.extents(XFS.path("in-partition.bin")).get(0);
        long onDisk = XFS.offsetOnDisk() + extent.physical() + 5 * 4096;
        try (AgentFixture fixture = new AgentFixture()) {
            MBeanServerConnection remote = fixture.remote();

            remote.invoke(ObjectNames.agent(), "reportFailure",
                    new Object[] {XFS.disk().getFileName().toString(), onDisk / 512, 8L, 5},
                    new String[] {"java.lang.String", "long", "long", "int"});

            ObjectName file = ObjectNames.damagedFile(XFS.mountPoint().toString(), "/in-partition.bin");
            CompositeData range = ((CompositeData[]) remote.getAttribute(file, "DamagedRanges"))[0];
            assertThat(range.get("fileOffset")).isEqualTo(5L * 4096);
            assertThat(range.get("device")).isEqualTo(XFS.device().getFileName().toString());
            assertThat(range.get("deviceOffset")).isEqualTo(extent.physical() + 5 * 4096);
        }
    }

    @Test
    void theDiskMBeanNamesItsPartitionsAndThePartitionItsDisk() throws Exception {
        try (AgentFixture fixture = new AgentFixture()) {
            MBeanServerConnection remote = fixture.remote();
            String disk = XFS.disk().getFileName().toString();
            String partition = XFS.device().getFileName().toString();

            assertThat((String[]) remote.getAttribute(ObjectNames.device(disk), "Partitions")).contains(partition);
            assertThat(remote.getAttribute(ObjectNames.device(partition), "Parent")).isEqualTo(disk);
            assertThat((String[]) remote.getAttribute(ObjectNames.device(partition), "Partitions")).isEmpty();
        }
    }

    @Test
    void bytesInThePartitionTableAreUnownedDamageOnTheDisk() throws Exception {
        try (AgentFixture fixture = new AgentFixture()) {
            MBeanServerConnection remote = fixture.remote();
            String disk = XFS.disk().getFileName().toString();

            remote.invoke(ObjectNames.agent(), "reportFailure", new Object[] {disk, 1L, 1L, 5},
                    new String[] {"java.lang.String", "long", "long", "int"});

            CompositeData[] unowned = (CompositeData[]) remote.getAttribute(ObjectNames.device(disk), "UnownedDamage");
            assertThat(unowned).hasSize(1);
            assertThat(unowned[0].get("offset")).isEqualTo(512L);
        }
    }
}
