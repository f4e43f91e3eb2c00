package io.daxguard.agent.topology;

import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.Mount;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An immutable snapshot of block devices and the mounts on them. A new snapshot replaces the old one when
 * the mount table changes; nothing in it is updated in place.
 */
public final class Topology {
    private static final java.util.regex.Pattern DEVICE_NUMBER = java.util.regex.Pattern.compile("\\d+:\\d+");
    private final Map<String, BlockDevice> byName;
    private final Map<DeviceNumber, BlockDevice> byNumber;
    private final List<Mount> mounts;
    /** Precomputed: routing asks these for every tuple, so a storm must not rebuild them each time. */
    private final Map<String, List<BlockDevice>> partitionsByDisk;
    private final Map<DeviceNumber, Optional<Mount>> primaryByDevice;

    public Topology(List<BlockDevice> devices, List<Mount> mounts) {
        Map<String, BlockDevice> names = new LinkedHashMap<>();
        Map<DeviceNumber, BlockDevice> numbers = new LinkedHashMap<>();
        devices.stream().sorted(Comparator.comparing(BlockDevice::name)).forEach(device -> {
            names.put(device.name(), device);
            numbers.put(device.number(), device);
        });
        this.byName = Map.copyOf(names);
        this.byNumber = Map.copyOf(numbers);
        this.mounts = List.copyOf(mounts);
        Map<String, List<BlockDevice>> partitions = new LinkedHashMap<>();
        for (BlockDevice device : byName.values()) {
            device.parent().ifPresent(parent -> partitions.computeIfAbsent(parent, disk -> new ArrayList<>()).add(device));
        }
        partitions.values().forEach(list -> list.sort(Comparator.comparingLong(BlockDevice::partitionStart)));
        Map<String, List<BlockDevice>> frozen = new LinkedHashMap<>();
        partitions.forEach((disk, list) -> frozen.put(disk, List.copyOf(list)));
        this.partitionsByDisk = Map.copyOf(frozen);
        Map<DeviceNumber, Optional<Mount>> primary = new LinkedHashMap<>();
        for (Mount mount : this.mounts) {
            primary.computeIfAbsent(mount.device(), number -> mountsOf(number).stream()
                    .filter(Mount::showsWholeFilesystem).findFirst());
        }
        this.primaryByDevice = Map.copyOf(primary);
    }

    public List<BlockDevice> devices() {
        return byName.values().stream().sorted(Comparator.comparing(BlockDevice::name)).toList();
    }

    public Optional<BlockDevice> byName(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public Optional<BlockDevice> byNumber(DeviceNumber number) {
        return Optional.ofNullable(byNumber.get(number));
    }

    /**
     * Finds a device by what an operator types: a kernel name ({@code loop3}), a device path
     * ({@code /dev/loop3}) or {@code major:minor}.
     */
    public Optional<BlockDevice> find(String device) {
        if (DEVICE_NUMBER.matcher(device).matches()) {
            return byNumber(DeviceNumber.parse(device));
        }
        String name = device.startsWith("/dev/") ? device.substring("/dev/".length()) : device;
        return byName(name);
    }

    /** The partitions of a whole disk, by start. */
    public List<BlockDevice> partitionsOf(BlockDevice disk) {
        return partitionsByDisk.getOrDefault(disk.name(), List.of());
    }

    /** Every mount of a block device, whole-filesystem mounts first, then by mount point length. */
    public List<Mount> mountsOf(DeviceNumber device) {
        return mounts.stream()
                .filter(mount -> mount.device().equals(device))
                .sorted(Comparator.comparing((Mount mount) -> !mount.showsWholeFilesystem())
                        .thenComparing(mount -> mount.mountPoint().length()))
                .toList();
    }

    /**
     * The mount that stands for the filesystem on a device: a whole-filesystem mount with the shortest
     * mount point; bind mounts of subdirectories cannot see every file, so they never stand for it.
     */
    public Optional<Mount> primaryMount(DeviceNumber device) {
        return primaryByDevice.getOrDefault(device, Optional.empty());
    }

    /** Every mount on a block device known to this snapshot, one per device (the primary). */
    public List<Mount> primaryMounts() {
        Map<DeviceNumber, Mount> primary = new LinkedHashMap<>();
        for (Mount mount : mounts) {
            if (byNumber.containsKey(mount.device()) && !primary.containsKey(mount.device())) {
                primaryMount(mount.device()).ifPresent(found -> primary.put(mount.device(), found));
            }
        }
        return List.copyOf(primary.values());
    }

    public List<Mount> mounts() {
        return mounts;
    }
}
