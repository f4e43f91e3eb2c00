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

    @Description("Failed ranges of data the filesystem keeps another copy of (REDUNDANT: data intact on another copy, "
            + "no data lost); repaired from the copy with the Filesystem MBean's repairFromCopies (daxguard repair MOUNT)")
    List<BadRangeView> getRedundantDamage();

    @Description("Failed ranges that no filesystem holds")
    List<BadRangeView> getUnownedDamage();

    @Description("Failed ranges of filesystems no longer on this device (re-made, or the disk was replaced): "
            + "state FILESYSTEM_GONE; they count toward no filesystem's health")
    List<BadRangeView> getGoneFilesystemDamage();

    @Description(value = "Closes one FILESYSTEM_GONE record of this device as ACKNOWLEDGED (the old filesystem's "
            + "damage is no longer of interest); audited. Returns what was done.", impact = Description.Impact.ACTION)
    String acknowledgeGoneDamage(
            @Description(name = "recordId", value = "The record's id, as in GoneFilesystemDamage") long recordId,
            @Description(name = "note", value = "Why, for the audit trail") String note);
}
