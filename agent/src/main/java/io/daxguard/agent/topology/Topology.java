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
    /**
     * The member devices of filesystems over several devices (btrfs), each to the primary mount of its filesystem;
     * learned from the holders after attach ({@link #withMembers}), empty in a snapshot just read.
     */
    private final Map<DeviceNumber, Mount> memberOf;

    public Topology(List<BlockDevice> devices, List<Mount> mounts) {
        this(devices, mounts, Map.of());
    }

    private Topology(List<BlockDevice> devices, List<Mount> mounts, Map<DeviceNumber, Mount> memberOf) {
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
            primary.computeIfAbsent(mount.device(), number -> {
                List<Mount> all = mountsOf(number);
                // A filesystem mounted only by a part of it (btrfs subvol=, as distributions mount btrfs; a bind
                // mount) is still offered to its plugin, which holds it or refuses it with a reason, never unseen.
                return all.stream().filter(Mount::showsWholeFilesystem).findFirst().or(() -> all.stream().findFirst());
            });
        }
        this.primaryByDevice = Map.copyOf(primary);
        this.memberOf = Map.copyOf(memberOf);
    }

    /**
     * This snapshot, knowing which filesystem each member device of a filesystem over several devices belongs to
     * ({@code Holder.memberDevices}); a device that is itself mounted keeps its own mount.
     */
    public Topology withMembers(Map<DeviceNumber, Mount> members) {
        return new Topology(List.copyOf(byNumber.values()), mounts, members);
    }

    /**
     * The filesystem holding {@code device}: the one mounted on it ({@link #primaryMount}), else the filesystem over
     * several devices it is a member of. What the router routes a failure of the device to.
     */
    public Optional<Mount> holdingMount(DeviceNumber device) {
        Optional<Mount> own = primaryMount(device);
        return own.isPresent() ? own : Optional.ofNullable(memberOf.get(device));
    }

    /**
     * Whether a mount is on a block device of this snapshot: on the device itself, or (a filesystem over several
     * devices, btrfs) on an anonymous device number with a source naming one ({@code /dev/loop3}: the first).
     */
    private boolean onBlockDevice(Mount mount) {
        if (byNumber.containsKey(mount.device())) {
            return true;
        }
        return mount.source().startsWith("/dev/") && byName.containsKey(mount.source().substring("/dev/".length()));
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
     * The mount that stands for the filesystem on a device: a whole-filesystem mount with the shortest mount point
     * (a mount of a subdirectory cannot see every file); when there is none, the first mount of a part of it (a btrfs
     * mounted by subvolume only), which its plugin holds or refuses with a reason.
     */
    public Optional<Mount> primaryMount(DeviceNumber device) {
        return primaryByDevice.getOrDefault(device, Optional.empty());
    }

    /** Every mount on a block device known to this snapshot, one per device (the primary). */
    public List<Mount> primaryMounts() {
        Map<DeviceNumber, Mount> primary = new LinkedHashMap<>();
        for (Mount mount : mounts) {
            if (onBlockDevice(mount) && !primary.containsKey(mount.device())) {
                primaryMount(mount.device()).ifPresent(found -> primary.put(mount.device(), found));
            }
        }
        return List.copyOf(primary.values());
    }

    public List<Mount> mounts() {
        return mounts;
    }
}
