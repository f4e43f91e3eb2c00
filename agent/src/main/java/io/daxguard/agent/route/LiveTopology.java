package io.daxguard.agent.route;

import io.daxguard.agent.failure.DamageListener;
import io.daxguard.agent.failure.DeviceRef;
import io.daxguard.agent.failure.FailureRejected;
import io.daxguard.agent.plugins.Filesystems;
import io.daxguard.agent.topology.BlockDevice;
import io.daxguard.agent.topology.DiskIdentity;
import io.daxguard.agent.topology.Topology;
import io.daxguard.agent.topology.TopologyReader;
import io.daxguard.spi.DeviceNumber;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The topology the router routes by: an immutable {@link Topology} snapshot, replaced (never changed in place) when
 * the mount table changed, a device is unknown, or a failure lies beyond a device's known size (a loop device
 * re-attached under the same number). Each new snapshot attaches and detaches filesystems to match, and tells the
 * listener which filesystems were attached and that the topology changed.
 *
 * <p>Threads: {@link #current} is lock-free; refreshes are serialised (the router thread, a JMX
 * {@code refreshTopology}, agent start).
 */
public final class LiveTopology {
    private final TopologyReader reader;
    private final Filesystems filesystems;
    private final DamageListener listener;
    private final DiskIdentity disks;
    private volatile Topology topology;
    private volatile String mountTableText = "";
    /** Logical block sizes read from sysfs, per device; emptied by every refresh (a device may have been replaced). */
    private final Map<DeviceNumber, Integer> blockSizes = new ConcurrentHashMap<>();
    /**
     * When the holders were last asked for their members because of a failure on each device no filesystem holds;
     * emptied by every refresh. A storm on such a device (a whole disk whose partitions are mounted: the kernel names
     * the disk) asks at most once per {@link #MEMBERS_ASKED_EVERY_NANOS}, not once per failure.
     */
    private final Map<DeviceNumber, Long> membersAsked = new ConcurrentHashMap<>();
    private static final long MEMBERS_ASKED_EVERY_NANOS = 1_000_000_000L;

    /** Reads nothing yet: the first {@link #refresh} (at agent start) does, once every listener is in place. */
    public LiveTopology(TopologyReader reader, Filesystems filesystems, DamageListener listener) {
        this.reader = reader;
        this.filesystems = filesystems;
        this.listener = listener;
        this.disks = reader.diskIdentity();
        this.topology = new Topology(java.util.List.of(), java.util.List.of());
    }

    /** The identity of the disk under {@code device} now ({@link DiskIdentity}); empty when sysfs gives none. */
    public String medium(Topology snapshot, BlockDevice device) {
        return disks.of(snapshot, device);
    }

    /** The logical block size of {@code device} ({@link TopologyReader#logicalBlockSize}). */
    public int logicalBlockSize(BlockDevice device) {
        return blockSizes.computeIfAbsent(device.number(), reader::logicalBlockSize); // read once, not per tuple
    }

    /** The current snapshot. */
    public Topology current() {
        return topology;
    }

    /** Re-reads devices and mounts and attaches or detaches filesystems; returns the new snapshot. */
    public synchronized Topology refresh() throws IOException {
        return refresh(reader.mountTableText());
    }

    private Topology refresh(String text) throws IOException {
        blockSizes.clear();
        membersAsked.clear();
        Topology snapshot = reader.read();
        // Published once its filesystems are attached, so a reader never sees a mount no holder answers for yet.
        var attached = filesystems.sync(snapshot, number -> snapshot.byNumber(number)
                .map(device -> medium(snapshot, device)).orElse(""));
        // A filesystem over several devices is learned from its holder: its members route to it.
        Topology routed = snapshot.withMembers(filesystems.memberMounts());
        mountTableText = text;
        topology = routed;
        attached.forEach(listener::attached);
        listener.topologyChanged(routed);
        return routed;
    }

    /**
     * The device a failure names and a snapshot that has it, whole: re-read when the mount table changed or the
     * device is unknown, and once more when the bytes go past its end in the snapshot.
     *
     * @throws FailureRejected when there is no such device, or the bytes go past its end
     */
    Routing deviceFor(DeviceRef wanted, long offset, long length) throws IOException {
        Topology snapshot = topology;
        if (!reader.mountTableText().equals(mountTableText) || snapshot.byNumber(wanted.number()).isEmpty()
                || filesystems.remounted(wanted.number()) || partitionRemounted(snapshot, wanted)) {
            snapshot = refresh();
        } else if (snapshot.holdingMount(wanted.number()).isEmpty() && mayAskForMembers(wanted.number())
                && filesystems.membersChanged()) {
            // A device no filesystem holds: perhaps added to a filesystem over several devices since, which the mount
            // table does not show; the holders say. (Asked only then: a storm on a known member asks nothing.)
            snapshot = refresh();
        }
        BlockDevice device = device(snapshot, wanted);
        if (offset + length > device.size()) {
            snapshot = refresh();
            device = device(snapshot, wanted);
        }
        if (device.size() == 0) {
            throw new FailureRejected("device: " + device.name() + " has no media (0 bytes)");
        }
        if (offset + length > device.size()) {
            throw new FailureRejected("range: bytes " + offset + "+" + length + " go past the end of "
                    + device.name() + " (" + device.size() + " bytes)");
        }
        return new Routing(snapshot, device);
    }

    /** Whether the holders may be asked for their members for a failure on {@code device} now (and notes it). */
    private boolean mayAskForMembers(DeviceNumber device) {
        long now = System.nanoTime();
        Long last = membersAsked.get(device);
        if (last != null && now - last < MEMBERS_ASKED_EVERY_NANOS) {
            return false;
        }
        membersAsked.put(device, now);
        return true;
    }

    /** A failure on a whole disk routes to its partitions: any of theirs re-mounted counts too. */
    private boolean partitionRemounted(Topology snapshot, DeviceRef wanted) {
        return snapshot.byNumber(wanted.number()).map(disk -> snapshot.partitionsOf(disk).stream()
                .anyMatch(partition -> filesystems.remounted(partition.number()))).orElse(false);
    }

    /**
     * Refreshes when the mount table reads otherwise than at the last refresh, or an attached filesystem was
     * re-mounted since (mountinfo may read the same); returns whether it did. What {@link MountWatcher} runs on each
     * change of the mount table, which is often a mount the agent does not hold.
     */
    public synchronized boolean refreshIfMountsChanged() throws IOException {
        String text = reader.mountTableText();
        if (text.equals(mountTableText) && !filesystems.anyRemounted()) {
            return false;
        }
        refresh(text);
        return true;
    }

    /** Refreshes when any attached filesystem was re-mounted since (the periodic check; mountinfo may read the same). */
    public void refreshIfRemounted() throws IOException {
        if (filesystems.anyRemounted()) {
            refresh();
        }
    }

    private static BlockDevice device(Topology snapshot, DeviceRef wanted) {
        return snapshot.byNumber(wanted.number()).orElseThrow(() -> new FailureRejected(
                "device: no block device \"" + wanted.name() + "\" (" + wanted.number() + ")"));
    }

    /** A device and the snapshot it was found in. */
    record Routing(Topology topology, BlockDevice device) {
    }
}
