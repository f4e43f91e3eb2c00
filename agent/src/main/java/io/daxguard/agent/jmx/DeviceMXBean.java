package io.daxguard.agent.jmx;

import java.util.List;

@Description("A block device: its size, what holds it, and the failed ranges reported on it")
public interface DeviceMXBean {

    @Description("Kernel name, for example loop3")
    String getName();

    @Description("major:minor")
    String getDeviceNumber();

    @Description("Size in bytes")
    long getSize();

    @Description("disk, partition, loop or pmem")
    String getKind();

    @Description("For a partition: its disk; otherwise empty")
    String getParent();

    @Description("For a partition: where it starts on its disk, in bytes")
    long getPartitionStart();

    @Description("For a whole disk: its partitions, by start; otherwise empty")
    List<String> getPartitions();

    @Description("For a loop device: its backing file; otherwise empty")
    String getBackingFile();

    @Description("Mount points of the filesystems on this device")
    List<String> getHolders();

    @Description("Failed ranges on this device and its partitions, with what they hit")
    List<BadRangeView> getBadRanges();

    @Description("Failed ranges that no filesystem holds")
    List<BadRangeView> getUnownedDamage();
}
