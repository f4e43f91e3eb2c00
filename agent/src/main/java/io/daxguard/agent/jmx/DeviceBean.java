package io.daxguard.agent.jmx;

import io.daxguard.agent.ledger.DamageLedger;
import io.daxguard.agent.ledger.AuditEntry;
import io.daxguard.agent.ledger.DamageRecord;
import io.daxguard.agent.ledger.DamageState;
import io.daxguard.agent.ledger.FileKey;
import io.daxguard.agent.ledger.StateChange;
import io.daxguard.agent.recovery.Principals;
import io.daxguard.agent.route.LiveTopology;
import io.daxguard.agent.topology.BlockDevice;
import io.daxguard.agent.topology.Topology;
import io.daxguard.spi.Mount;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** The MBean of one block device. */
final class DeviceBean implements DeviceMXBean {
    /** As first seen; {@link #device()} gives it as the current topology has it (loop devices are reused). */
    private final BlockDevice registered;
    private final LiveTopology topology;
    private final DamageLedger ledger;
    private final Clock clock;

    DeviceBean(BlockDevice device, LiveTopology topology, DamageLedger ledger, Clock clock) {
        this.registered = device;
        this.clock = clock;
        this.topology = topology;
        this.ledger = ledger;
    }

    private BlockDevice device() {
        return topology.current().byName(registered.name()).orElse(registered);
    }

    @Override
    public String getName() {
        return device().name();
    }

    @Override
    public String getDeviceNumber() {
        return device().number().toString();
    }

    @Override
    public long getSize() {
        return device().size();
    }

    @Override
    public String getKind() {
        return device().kind();
    }

    @Override
    public String getParent() {
        return device().parent().orElse("");
    }

    @Override
    public long getPartitionStart() {
        return device().partitionStart();
    }

    @Override
    public String getBackingFile() {
        return device().loopBacking().map(backing -> backing.file().display()).orElse("");
    }

    @Override
    public List<String> getPartitions() {
        return topology.current().partitionsOf(device()).stream().map(BlockDevice::name).toList();
    }

    @Override
    public List<String> getHolders() {
        List<String> mounted = topology.current().mountsOf(device().number()).stream()
                .map(Mount::mountPoint).map(Object::toString).toList();
        // A member of a filesystem over several devices (btrfs) is held by that filesystem, mounted on none of them.
        return !mounted.isEmpty() ? mounted : topology.current().holdingMount(device().number())
                .map(mount -> List.of(mount.mountPoint().toString())).orElse(List.of());
    }

    /** This device and its partitions: a disk's MBean shows damage routed to its partitions too. */
    private List<DamageRecord> records() {
        Set<String> names = topology.current().partitionsOf(device()).stream().map(BlockDevice::name).collect(Collectors.toSet());
        names.add(device().name());
        return ledger.records().stream().filter(record -> names.contains(record.deviceName())).toList();
    }

    @Override
    public List<BadRangeView> getBadRanges() {
        return records().stream().map(DeviceBean::view).toList();
    }

    @Override
    public List<BadRangeView> getRedundantDamage() {
        return records().stream().filter(record -> record.state() == DamageState.REDUNDANT).map(DeviceBean::view)
                .toList();
    }

    @Override
    public List<BadRangeView> getUnownedDamage() {
        return records().stream().filter(DamageRecord::unowned).map(DeviceBean::view).toList();
    }

    @Override
    public List<BadRangeView> getGoneFilesystemDamage() {
        return records().stream().filter(record -> record.state() == DamageState.FILESYSTEM_GONE)
                .map(DeviceBean::view).toList();
    }

    @Override
    public String acknowledgeGoneDamage(long recordId, String note) {
        DamageRecord record = records().stream().filter(candidate -> candidate.id() == recordId).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("recordId: " + recordId + " is not a damage record of "
                        + device().name()));
        if (record.state() != DamageState.FILESYSTEM_GONE) {
            throw new IllegalArgumentException("recordId: record " + recordId + " is " + record.state()
                    + ", not FILESYSTEM_GONE; damage of a filesystem in use is closed on its DamagedFile MBean");
        }
        List<StateChange> changes = new ArrayList<>();
        if (record.unowned()) {
            changes.add(new StateChange(recordId, -1, DamageState.ACKNOWLEDGED, null));
        }
        for (int index = 0; index < record.owners().size(); index++) {
            if (record.owners().get(index).state() == DamageState.FILESYSTEM_GONE) {
                changes.add(new StateChange(recordId, index, DamageState.ACKNOWLEDGED, null));
            }
        }
        String result = "ok: record " + recordId + " of " + device().name() + " bytes " + record.offset() + "+"
                + record.length() + " acknowledged" + (note == null || note.isBlank() ? "" : ": " + note.strip());
        ledger.change(changes, new AuditEntry(clock.instant(), Principals.current(), "acknowledgeGoneDamage",
                FileKey.NONE, "", result));
        return result;
    }

    static BadRangeView view(DamageRecord record) {
        return new BadRangeView(record.offset(), record.length(), record.deviceName(), record.errno(), record.source(),
                record.firstSeen().toString(), record.count(),
                record.owners().stream().map(OwnerView::of).map(OwnerView::line).toList(),
                record.state().name(), record.id());
    }
}
