package io.daxguard.agent.topology;

import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.LinuxPath;
import java.util.Objects;
import java.util.Optional;

/**
 * A block device as {@code /sys/class/block/<name>} describes it; sizes and offsets in bytes.
 *
 * @param name           kernel name, for example {@code "loop3p2"}
 * @param number         major:minor
 * @param size           bytes
 * @param parent         for a partition, the whole disk's name
 * @param partitionStart for a partition, where it starts on the whole disk
 * @param loopBacking    for a loop device, its backing file and offset in it
 */
public record BlockDevice(String name, DeviceNumber number, long size, Optional<String> parent, long partitionStart,
                          Optional<LoopBacking> loopBacking) {
    public BlockDevice {
        Objects.requireNonNull(name, "name is null");
        Objects.requireNonNull(number, "number is null");
        Objects.requireNonNull(parent, "parent is null");
        Objects.requireNonNull(loopBacking, "loopBacking is null");
        if (size < 0 || partitionStart < 0) {
            throw new IllegalArgumentException("size and partitionStart must not be negative: " + size + ", " + partitionStart);
        }
    }

    public boolean isPartition() {
        return parent.isPresent();
    }

    /** What kind of device this is, for the Device MBean. */
    public String kind() {
        if (isPartition()) {
            return "partition";
        }
        if (loopBacking.isPresent()) {
            return "loop";
        }
        if (name.startsWith("pmem")) {
            return "pmem";
        }
        return "disk";
    }

    /**
     * The file a loop device reads (its path as sysfs shows it, bytes; {@code " (deleted)"} appended once it is
     * unlinked), and where in it the device starts.
     */
    public record LoopBacking(LinuxPath file, long offset) {
        public LoopBacking {
            Objects.requireNonNull(file, "file is null");
        }
    }
}
