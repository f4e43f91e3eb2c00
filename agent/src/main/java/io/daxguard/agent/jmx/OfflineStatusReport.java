package io.daxguard.agent.jmx;

import io.daxguard.agent.ledger.AffectedOwner;
import io.daxguard.agent.ledger.DamageRecord;
import io.daxguard.agent.ledger.DamageState;
import io.daxguard.agent.ledger.DamagedFile;
import io.daxguard.agent.ledger.FilesystemRef;
import io.daxguard.spi.FreeSpaceOwner;
import io.daxguard.spi.MetadataOwner;
import io.daxguard.spi.UnknownOwner;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code daxguard status --offline}: the status from the ledger's records alone, with no agent and no mounted
 * filesystem to ask. Each filesystem with open damage is shown by its identity (UUID), under the mount point of its
 * latest record, with the same lines as the live report ({@link StatusReport#renderDamage}); then the device damage
 * no filesystem holds, and the damage of filesystems that are gone (FILESYSTEM_GONE: the filesystem was re-made or
 * its disk replaced; it counts toward no filesystem and waits for an operator to acknowledge it).
 *
 * <p>What the ledger cannot know is not claimed: whether a filesystem is mounted now, its scrub, its reverse map.
 */
public final class OfflineStatusReport {
    private OfflineStatusReport() {
    }

    /** One filesystem as the ledger knows it: its latest reference, its records, its open owners and files. */
    private record KnownFilesystem(FilesystemRef reference, String deviceName, List<DamageRecord> records,
                                   List<AffectedOwner> openOwners, List<DamagedFile> openFiles) {
        String mountPoint() {
            return reference.mountPoint();
        }

        /** As the live view says it ({@link FilesystemBean#health(List)}). */
        String health() {
            return FilesystemBean.health(openOwners);
        }
    }

    /**
     * The report as text.
     *
     * @param header     the first lines (where the ledger is, when it was read)
     * @param everyRange with a line for each damaged range of each file ({@code -v})
     */
    public static String render(String header, List<DamageRecord> records, boolean everyRange) {
        StringBuilder out = new StringBuilder(header).append('\n');
        List<KnownFilesystem> filesystems = filesystems(records);
        List<KnownFilesystem> damaged = filesystems.stream().filter(fs -> !fs.openOwners().isEmpty()).toList();
        if (damaged.isEmpty()) {
            out.append("\nno filesystem has open damage in the ledger\n");
        }
        for (KnownFilesystem filesystem : damaged) {
            FilesystemRef reference = filesystem.reference();
            out.append('\n');
            out.append(String.format("  filesystem: %s%n", reference.mountPoint()));
            out.append(String.format("        type: %s on %s (%s), uuid %s%n", reference.type(), filesystem.deviceName(),
                    reference.device(), reference.uuid()));
            out.append(String.format("       state: %s%n", filesystem.health()));
            StatusReport.renderDamage(out, reference.mountPoint(), filesystem.health(), filesystem.openFiles(),
                    filesystem.openOwners(), everyRange, MetadataOwner::repairHint);
        }
        int undamaged = filesystems.size() - damaged.size();
        if (undamaged > 0) {
            out.append(String.format("%n%d other filesystem(s) in the ledger have only closed damage "
                    + "(daxguard events shows its history)%n", undamaged));
        }
        StatusReport.renderGone(out, records); // in the live report's order
        StatusReport.renderUnowned(out, records);
        return out.toString();
    }

    /**
     * The report as plain maps, lists and records for JSON, with the names the live {@code status --json} uses where
     * the same thing is shown.
     */
    public static Map<String, Object> document(List<DamageRecord> records) {
        List<Object> filesystems = new ArrayList<>();
        for (KnownFilesystem filesystem : filesystems(records)) {
            if (filesystem.openOwners().isEmpty()) {
                continue;
            }
            FilesystemRef reference = filesystem.reference();
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("mountPoint", reference.mountPoint());
            entry.put("type", reference.type());
            entry.put("device", filesystem.deviceName());
            entry.put("deviceNumber", reference.device().toString());
            entry.put("uuid", reference.uuid());
            entry.put("health", filesystem.health());
            entry.put("damagedFileCount", filesystem.openFiles().size());
            entry.put("damagedBytes", filesystem.openFiles().stream().mapToLong(DamagedFile::damagedBytes).sum());
            entry.put("freeSpaceDamageBytes", filesystem.openOwners().stream()
                    .filter(owner -> owner.owner() instanceof FreeSpaceOwner).mapToLong(owner -> owner.owner().length())
                    .sum());
            entry.put("metadataDamage", views(filesystem.openOwners(), MetadataOwner.class));
            entry.put("unknownDamage", views(filesystem.openOwners(), UnknownOwner.class));
            List<Object> files = new ArrayList<>();
            for (DamagedFile file : filesystem.openFiles()) {
                Map<String, Object> fileEntry = new LinkedHashMap<>();
                fileEntry.put("path", file.displayPath());
                fileEntry.put("paths", file.paths());
                fileEntry.put("inode", file.key().inode());
                fileEntry.put("generation", file.key().generation());
                fileEntry.put("damagedBytes", file.damagedBytes());
                fileEntry.put("state", file.state().name());
                fileEntry.put("damagedRanges", file.hits().stream().map(DamagedRangeView::of).toList());
                files.add(fileEntry);
            }
            entry.put("damagedFiles", files);
            filesystems.add(entry);
        }
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("damageRecords", records.size());
        document.put("filesystems", filesystems);
        document.put("unownedDamage", records.stream()
                .filter(record -> record.unowned() && record.state() == DamageState.OPEN).map(DeviceBean::view).toList());
        document.put("goneFilesystemDamage", gone(records).stream().map(DeviceBean::view).toList());
        return document;
    }

    /** Whether anything asks for action, as the live status's exit code counts it: files, metadata, unowned. */
    public static boolean damaged(List<DamageRecord> records) {
        return filesystems(records).stream().anyMatch(fs -> !fs.health().equals("ONLINE"))
                || records.stream().anyMatch(record -> record.unowned() && record.state() == DamageState.OPEN);
    }

    /** Every filesystem the ledger names, by UUID, under its latest record's mount point; sorted by mount point. */
    private static List<KnownFilesystem> filesystems(List<DamageRecord> records) {
        Map<String, List<DamageRecord>> byUuid = new LinkedHashMap<>();
        for (DamageRecord record : records) {
            record.filesystem().ifPresent(fs -> byUuid.computeIfAbsent(fs.uuid(), uuid -> new ArrayList<>()).add(record));
        }
        List<KnownFilesystem> known = new ArrayList<>();
        for (List<DamageRecord> ofOne : byUuid.values()) {
            DamageRecord latest = ofOne.stream().max(Comparator.comparing(DamageRecord::firstSeen)
                    .thenComparingLong(DamageRecord::id)).orElseThrow();
            List<AffectedOwner> open = new ArrayList<>();
            for (DamageRecord record : ofOne) {
                if (record.state() == DamageState.OPEN) {
                    record.owners().stream().filter(AffectedOwner::open).forEach(open::add);
                }
            }
            List<DamagedFile> files = DamagedFile.group(ofOne).stream()
                    .filter(file -> file.state() == DamageState.OPEN).toList();
            known.add(new KnownFilesystem(latest.filesystem().orElseThrow(), latest.deviceName(), ofOne, open, files));
        }
        known.sort(Comparator.comparing(KnownFilesystem::mountPoint));
        return known;
    }

    private static List<OwnerView> views(List<AffectedOwner> owners, Class<?> kind) {
        return owners.stream().filter(owner -> kind.isInstance(owner.owner())).map(OwnerView::of).toList();
    }

    private static List<DamageRecord> gone(List<DamageRecord> records) {
        return records.stream().filter(record -> record.state() == DamageState.FILESYSTEM_GONE).toList();
    }
}
