package io.daxguard.agent.route;

import io.daxguard.agent.topology.BlockDevice;
import io.daxguard.agent.topology.Topology;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Routes a failed device range to the filesystems that hold it. A range on a whole disk is cut at
 * partition boundaries and each piece translated to partition-relative bytes, as the kernel's
 * {@code xfs_dax_notify_failure} subtracts the partition offset; bytes outside every partition (the
 * partition table, gaps) stay on the disk. A device that is a member of a filesystem over several devices
 * (btrfs) routes to that filesystem, bytes relative to the member ({@link Topology#holdingMount}).
 */
public final class Router {
    private Router() {
    }

    public static List<RoutedRange> route(Topology topology, BlockDevice device, long offset, long length) {
        List<RoutedRange> pieces = new ArrayList<>();
        List<BlockDevice> partitions = topology.partitionsOf(device);
        boolean diskHeldWhole = topology.holdingMount(device.number()).isPresent();
        if (partitions.isEmpty() || diskHeldWhole) {
            pieces.add(new RoutedRange(device, offset, length, topology.holdingMount(device.number())));
            return pieces;
        }
        long end = offset + length;
        long cursor = offset;
        for (BlockDevice partition : partitions) {
            long partitionEnd = partition.partitionStart() + partition.size();
            long from = Math.max(cursor, partition.partitionStart());
            long to = Math.min(end, partitionEnd);
            if (from >= to) {
                continue;
            }
            if (cursor < from) {
                pieces.add(new RoutedRange(device, cursor, from - cursor, Optional.empty()));
            }
            pieces.add(new RoutedRange(partition, from - partition.partitionStart(), to - from,
                    topology.holdingMount(partition.number())));
            cursor = to;
        }
        if (cursor < end) {
            pieces.add(new RoutedRange(device, cursor, end - cursor, Optional.empty()));
        }
        return pieces;
    }
}
