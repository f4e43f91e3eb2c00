package io.daxguard.agent.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.topology.BlockDevice;
import io.daxguard.agent.topology.Topology;
import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.LinuxPath;
import io.daxguard.spi.Mount;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RouterTest {
    private static final long MIB = 1L << 20;
    private final BlockDevice disk = new BlockDevice("sdb", new DeviceNumber(8, 16), 100 * MIB, Optional.empty(), 0,
            Optional.empty());
    private final BlockDevice first = new BlockDevice("sdb1", new DeviceNumber(8, 17), 10 * MIB, Optional.of("sdb"),
            MIB, Optional.empty());
    private final BlockDevice second = new BlockDevice("sdb2", new DeviceNumber(8, 18), 50 * MIB, Optional.of("sdb"),
            20 * MIB, Optional.empty());
    private final Mount data = new Mount(40, second.number(), "/", LinuxPath.ofText("/data"), "xfs", "/dev/sdb2", "rw");
    private final Topology topology = new Topology(List.of(disk, first, second), List.of(data));

    @Test
    void translatesARangeOnTheDiskToItsPartition() {
        List<RoutedRange> pieces = Router.route(topology, disk, 20 * MIB + 4096, 512);

        assertThat(pieces).containsExactly(new RoutedRange(second, 4096, 512, Optional.of(data)));
    }

    @Test
    void cutsARangeAtPartitionBoundariesAndKeepsTheGapOnTheDisk() {
        List<RoutedRange> pieces = Router.route(topology, disk, 11 * MIB - 512, MIB);

        assertThat(pieces).containsExactly(
                new RoutedRange(first, 10 * MIB - 512, 512, Optional.empty()),
                new RoutedRange(disk, 11 * MIB, MIB - 512, Optional.empty()));
    }

    @Test
    void leavesARangeOnAPartitionWhereItIs() {
        List<RoutedRange> pieces = Router.route(topology, second, 8192, 4096);

        assertThat(pieces).containsExactly(new RoutedRange(second, 8192, 4096, Optional.of(data)));
    }

    @Test
    void aRangeInThePartitionTableBelongsToNoFilesystem() {
        List<RoutedRange> pieces = Router.route(topology, disk, 0, 4096);

        assertThat(pieces).containsExactly(new RoutedRange(disk, 0, 4096, Optional.empty()));
    }

    @Test
    void aDiskWithAFilesystemOnItselfIsNotCutIntoPartitions() {
        BlockDevice loop = new BlockDevice("loop3", new DeviceNumber(7, 3), 300 * MIB, Optional.empty(), 0,
                Optional.of(new BlockDevice.LoopBacking(LinuxPath.ofText("/images/a.img"), 0)));
        Mount whole = new Mount(41, loop.number(), "/", LinuxPath.ofText("/mnt"), "xfs", "/dev/loop3", "rw");
        Topology plain = new Topology(List.of(loop), List.of(whole));

        assertThat(Router.route(plain, loop, 4096, 4096)).containsExactly(new RoutedRange(loop, 4096, 4096,
                Optional.of(whole)));
    }
}
