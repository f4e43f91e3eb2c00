package io.daxguard.agent.jmx;

import io.daxguard.agent.ranges.ByteSizes;
import io.daxguard.agent.ledger.AffectedOwner;
import io.daxguard.agent.ledger.DamageRecord;
import io.daxguard.agent.ledger.DamageState;
import io.daxguard.agent.ledger.DamagedFile;
import io.daxguard.agent.plugins.AttachedFilesystem;
import io.daxguard.agent.source.SourceState;
import io.daxguard.agent.source.SourceStatus;
import io.daxguard.spi.FilesystemInfo;
import io.daxguard.spi.FreeSpaceOwner;
import io.daxguard.spi.LinuxPath;
import io.daxguard.spi.MetadataOwner;
import io.daxguard.spi.UnknownOwner;
import io.daxguard.support.linux.NativeCallException;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The plain-text report of {@code status()}, in the spirit of {@code zpool status -v}: the failure sources and their
 * states; per filesystem, its health, then every damaged file with its ranges, then damaged metadata with what to
 * run; then damage no filesystem holds.
 */
final class StatusReport {
    private StatusReport() {
    }

    /** @param everyRange with a line for each damaged range of each file ({@code status -v}) */
    static String render(String header, List<SourceStatus> sources, List<AttachedFilesystem> filesystems,
                         List<DamageRecord> records, boolean everyRange) {
        return render(header, sources, filesystems, records, everyRange, filesystem -> "none: manual");
    }

    /** @param policyOf the recovery policy of a filesystem, in one line, printed under its reverse map */
    static String render(String header, List<SourceStatus> sources, List<AttachedFilesystem> filesystems,
                         List<DamageRecord> records, boolean everyRange,
                         java.util.function.Function<AttachedFilesystem, String> policyOf) {
        return render(header, sources, filesystems, records, everyRange, policyOf, filesystem -> Optional.empty());
    }

    /**
     * @param policyOf the recovery policy of a filesystem, in one line, printed under its reverse map
     * @param frozenOf whether daxguard froze a filesystem (since when, by whom, how to thaw), printed under its state
     */
    static String render(String header, List<SourceStatus> sources, List<AttachedFilesystem> filesystems,
                         List<DamageRecord> records, boolean everyRange,
                         java.util.function.Function<AttachedFilesystem, String> policyOf,
                         java.util.function.Function<AttachedFilesystem, Optional<String>> frozenOf) {
        return render(header, sources, filesystems, records, everyRange, policyOf, frozenOf,
                filesystem -> List.of(filesystem.mount().device().toString()));
    }

    /**
     * @param membersOf the member devices of a filesystem ({@code Filesystems.memberLabels}), printed when it has
     *                  several
     */
    static String render(String header, List<SourceStatus> sources, List<AttachedFilesystem> filesystems,
                         List<DamageRecord> records, boolean everyRange,
                         java.util.function.Function<AttachedFilesystem, String> policyOf,
                         java.util.function.Function<AttachedFilesystem, Optional<String>> frozenOf,
                         java.util.function.Function<AttachedFilesystem, List<String>> membersOf) {
        StringBuilder out = new StringBuilder(header).append('\n');
        renderSources(out, sources);
        if (filesystems.isEmpty()) {
            out.append("\nno block-device filesystems mounted\n");
        }
        for (AttachedFilesystem filesystem : filesystems.stream()
                .sorted(Comparator.comparing(fs -> fs.mount().mountPoint().toString())).toList()) {
            renderFilesystem(out, filesystem, records, everyRange, policyOf.apply(filesystem),
                    frozenOf.apply(filesystem), membersOf.apply(filesystem));
        }
        renderNotMounted(out, filesystems, records);
        renderGone(out, records);
        renderUnowned(out, records);
        return out.toString();
    }

    /** The open damage no filesystem holds, one line per record. */
    static void renderUnowned(StringBuilder out, List<DamageRecord> records) {
        List<DamageRecord> unowned = records.stream()
                .filter(record -> record.unowned() && record.state() == DamageState.OPEN).toList();
        out.append("\nunowned device damage: ").append(unowned.isEmpty() ? "none" : "").append('\n');
        for (DamageRecord record : unowned) {
            out.append(String.format("        %-10s bytes %d-%d (%s)  %s  seen %d time(s) since %s%n", record.deviceName(),
                    record.offset(), record.end() - 1, ByteSizes.format(record.length()), errno(record.errno()), record.count(),
                    record.firstSeen()));
        }
    }

    /**
     * One line per source: name, state, since when, and what is wrong. Indented eight spaces, like the other lines
     * the summary keeps ({@code daxguard status} without {@code -v} drops lines indented ten).
     */
    private static void renderSources(StringBuilder out, List<SourceStatus> sources) {
        out.append("\n     sources:").append(sources.isEmpty() ? " none enabled" : "").append('\n');
        for (SourceStatus source : sources) {
            StringBuilder line = new StringBuilder(String.format("        %-10s %-11s since %s", source.name(),
                    source.state(), source.since()));
            if (source.restarts() > 0) {
                line.append(", restarted ").append(source.restarts()).append(" time(s)");
            }
            source.nextAttempt().ifPresent(next -> line.append(", next attempt ").append(next));
            if (source.state() != SourceState.RUNNING && !source.reason().isEmpty()) {
                line.append(": ").append(source.reason());
            }
            out.append(line).append('\n');
        }
    }

    private static void renderFilesystem(StringBuilder out, AttachedFilesystem filesystem, List<DamageRecord> records,
                                         boolean everyRange, String policy, Optional<String> frozen,
                                         List<String> members) {
        String mountPoint = filesystem.mount().mountPoint().toString();
        String health = FilesystemBean.health(filesystem, records);
        out.append('\n');
        out.append(String.format("  filesystem: %s%n", mountPoint));
        out.append(String.format("        type: %s on %s (%s)%s%n", filesystem.mount().fsType(), filesystem.mount().source(),
                filesystem.mount().device(), filesystem.info().map(info -> ", uuid " + info.uuid()).orElse("")));
        if (members.size() > 1) {
            out.append(String.format("     members: %s%n", String.join(", ", members)));
        }
        out.append(String.format("       state: %s%n", health));
        frozen.ifPresent(line -> out.append(String.format("      frozen: %s%n", line)));
        if (filesystem.refusal().isPresent()) {
            out.append(String.format("      reason: %s%n", filesystem.refusal().get()));
            return;
        }
        out.append(String.format(" reverse map: %s%n", filesystem.info().map(FilesystemInfo::reverseMap).orElse("")));
        IndexStatusView.statusLine(filesystem).ifPresent(line -> out.append(String.format("       index: %s%n", line)));
        out.append(String.format("      policy: %s%n", policy));
        renderRedundant(out, mountPoint, filesystem.damageOf(records), everyRange);
        List<DamagedFile> files = DamagedFile.group(filesystem.damageOf(records)).stream()
                .filter(file -> file.state() == DamageState.OPEN).toList();
        List<AffectedOwner> owners = FilesystemBean.openOwners(filesystem, records);
        renderDamage(out, mountPoint, health, files, owners, everyRange, filesystem::repairHint);
    }

    /**
     * Damage to one copy of data the filesystem keeps elsewhere too (REDUNDANT): no data lost, a repair to run; with
     * {@code everyRange}, each range and what it holds.
     */
    private static void renderRedundant(StringBuilder out, String mountPoint, List<DamageRecord> records,
                                        boolean everyRange) {
        List<DamageRecord> redundant = records.stream().filter(record -> record.state() == DamageState.REDUNDANT)
                .toList();
        if (redundant.isEmpty()) {
            return;
        }
        long bytes = redundant.stream().mapToLong(DamageRecord::length).sum();
        out.append(String.format("   redundant: %d range(s), %s damaged on one copy: data intact on another copy; "
                + "repair: daxguard repair %s%n", redundant.size(), ByteSizes.format(bytes), mountPoint));
        if (everyRange) {
            for (DamageRecord record : redundant) {
                out.append(String.format("        %s bytes %d+%d: %s%n", record.deviceName(), record.offset(),
                        record.length(), String.join("; ", record.owners().stream().map(OwnerView::of)
                                .map(OwnerView::line).toList())));
            }
        }
    }

    /**
     * The damage of one filesystem: the errors line, what to do, the damaged files (with every range when
     * {@code everyRange}), the metadata damage with its repair hints, the damage with no known owner.
     *
     * @param files  the filesystem's files with open damage
     * @param owners the filesystem's open owners, of every kind
     * @param repairHint a metadata owner's repair hint as it reads where the filesystem is now (as written when it
     *                   is not mounted)
     */
    static void renderDamage(StringBuilder out, String mountPoint, String health, List<DamagedFile> files,
                             List<AffectedOwner> owners, boolean everyRange,
                             java.util.function.Function<MetadataOwner, String> repairHint) {
        List<AffectedOwner> metadata = owners.stream().filter(owner -> owner.owner() instanceof MetadataOwner).toList();
        long free = owners.stream().filter(owner -> owner.owner() instanceof FreeSpaceOwner)
                .mapToLong(owner -> owner.owner().length()).sum();
        List<AffectedOwner> unknown = owners.stream().filter(owner -> owner.owner() instanceof UnknownOwner).toList();
        out.append(String.format("      errors: %d damaged file(s), %d damaged metadata range(s), %s in free space%s%n",
                files.size(), metadata.size(), ByteSizes.format(free),
                unknown.isEmpty() ? "" : ", " + unknown.size() + " range(s) with no known owner"));
        if (health.equals("UNHEALTHY")) {
            out.append("      action: metadata is damaged; unmount and run the repair tool named below, then "
                    + "restore damaged files\n");
        } else if (health.equals("DEGRADED")) {
            out.append("      action: restore the damaged files from a replica, or rewrite them\n");
        }
        if (!files.isEmpty()) {
            out.append("\n  damaged files:\n");
            for (DamagedFile file : files) {
                out.append(String.format("        %s  (inode %d, generation %d)%n", file.paths().isEmpty()
                                ? mountPoint + "  [no name: deleted, or unlinked but open] inode " + file.key().inode()
                                : LinuxPath.joinDisplayed(mountPoint, file.displayPath()),
                        file.key().inode(), file.key().generation()));
                for (String link : file.paths().stream().skip(1).toList()) {
                    out.append(String.format("          also %s%n", LinuxPath.joinDisplayed(mountPoint, link)));
                }
                for (DamagedFile.Hit hit : everyRange ? file.hits() : List.<DamagedFile.Hit>of()) {
                    out.append(String.format("          %s bytes %d-%d (%s)%s  %s  %s  %s%n",
                            hit.owner().fork().name().toLowerCase(), hit.owner().fileOffset(),
                            hit.owner().fileOffset() + hit.owner().length() - 1, ByteSizes.format(hit.owner().length()),
                            hit.owner().shared() ? " shared" : "", errno(hit.record().errno()), hit.record().source(),
                            hit.state()));
                }
            }
        }
        if (!metadata.isEmpty()) {
            out.append("\n  metadata damage:\n");
            for (AffectedOwner owner : metadata) {
                MetadataOwner meta = (MetadataOwner) owner.owner();
                out.append(String.format("        %-16s %s, fs bytes %d-%d (%s). %s%n", meta.kind(), meta.description(),
                        meta.physicalOffset(), meta.physicalEnd() - 1, ByteSizes.format(meta.length()),
                        repairHint.apply(meta)));
            }
        }
        renderUnknown(out, unknown);
    }

    /**
     * Open damage of filesystems not mounted now (unmounted, or mounted where the agent does not watch): listed under
     * the filesystem's UUID and where it was last mounted, so it does not vanish while the filesystem is away.
     */
    private static void renderNotMounted(StringBuilder out, List<AttachedFilesystem> filesystems,
                                         List<DamageRecord> records) {
        java.util.Map<String, List<AffectedOwner>> away = new java.util.TreeMap<>();
        java.util.Map<String, List<DamageRecord>> awayRecords = new java.util.HashMap<>();
        java.util.Map<String, String> lastMountPoint = new java.util.HashMap<>();
        for (DamageRecord record : records) {
            // Not mounted: no attached filesystem holds it (its UUID on its disk), even if a clone has its UUID.
            if (filesystems.stream().anyMatch(fs -> fs.holds(record))) {
                continue;
            }
            record.filesystem().ifPresent(fs -> awayRecords
                    .computeIfAbsent(fs.uuid(), uuid -> new java.util.ArrayList<>()).add(record));
            for (AffectedOwner owner : record.owners()) {
                if (owner.open()) {
                    away.computeIfAbsent(owner.filesystem().uuid(), uuid -> new java.util.ArrayList<>()).add(owner);
                    lastMountPoint.put(owner.filesystem().uuid(), owner.filesystem().mountPoint());
                }
            }
        }
        away.forEach((uuid, owners) -> {
            String mountPoint = lastMountPoint.get(uuid);
            out.append('\n');
            out.append(String.format("  filesystem: uuid %s (not mounted now; last mounted at %s)%n", uuid, mountPoint));
            out.append(String.format("       state: NOT MOUNTED: its open damage is kept and shown again where it is "
                    + "mounted next%n"));
            List<DamagedFile> files = DamagedFile.group(awayRecords.get(uuid)).stream()
                    .filter(file -> file.state() == DamageState.OPEN).toList();
            for (DamagedFile file : files) {
                out.append(String.format("        %s  (inode %d, generation %d)%n",
                        LinuxPath.joinDisplayed(mountPoint, file.displayPath()), file.key().inode(),
                        file.key().generation()));
            }
            owners.stream().filter(owner -> owner.file().isEmpty())
                    .forEach(owner -> out.append("        ").append(OwnerView.of(owner).line()).append('\n'));
        });
    }

    /**
     * Damage of filesystems that no longer exist (re-made, or the disk replaced): FILESYSTEM_GONE, with what each
     * record held. It counts toward no filesystem's health and stays device damage until an operator closes it on the
     * Device MBean. Live and offline status show it alike.
     */
    static void renderGone(StringBuilder out, List<DamageRecord> records) {
        List<DamageRecord> gone = records.stream().filter(record -> record.state() == DamageState.FILESYSTEM_GONE)
                .toList();
        out.append("\ndamage of filesystems that are gone: ").append(gone.isEmpty() ? "none" : "").append('\n');
        for (DamageRecord record : gone) {
            String filesystem = record.filesystem().map(fs -> fs.type() + " " + fs.uuid() + " (was at "
                    + fs.mountPoint() + ")").orElse("no filesystem");
            out.append(String.format("        %-10s bytes %d-%d (%s)  %s  record %d of %s%n", record.deviceName(),
                    record.offset(), record.end() - 1, ByteSizes.format(record.length()), errno(record.errno()),
                    record.id(), filesystem));
            for (AffectedOwner owner : record.owners()) {
                out.append(String.format("          %s%n", OwnerView.of(owner).line()));
            }
        }
        if (!gone.isEmpty()) {
            out.append("      action: the old filesystem's bytes are still bad on its disk; once dealt with, close each "
                    + "record with acknowledgeGoneDamage(record, note) on the device's MBean\n");
        }
    }

    private static void renderUnknown(StringBuilder out, List<AffectedOwner> unknown) {
        if (unknown.isEmpty()) {
            return;
        }
        out.append("\n  damage with no known owner:\n");
        for (AffectedOwner owner : unknown) {
            UnknownOwner what = (UnknownOwner) owner.owner();
            out.append(String.format("        fs bytes %d-%d (%s): %s%n", what.physicalOffset(), what.physicalEnd() - 1,
                    ByteSizes.format(what.length()), what.reason()));
        }
    }

    static String errno(int errno) {
        return NativeCallException.errnoName(errno);
    }
}
