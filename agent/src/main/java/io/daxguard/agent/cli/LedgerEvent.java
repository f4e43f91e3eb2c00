package io.daxguard.agent.cli;

import io.daxguard.agent.ledger.AffectedOwner;
import io.daxguard.agent.ledger.AuditEntry;
import io.daxguard.agent.ledger.DamageRecord;
import io.daxguard.agent.ledger.LedgerReader;
import io.daxguard.agent.ranges.ByteSizes;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.LinuxPath;
import io.daxguard.spi.MetadataOwner;
import io.daxguard.spi.UnknownOwner;
import io.daxguard.support.linux.NativeCallException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One line of {@code daxguard events}: a damage record as it was detected (or inherited from the device's history
 * when a filesystem was re-made on it), or an entry of the audit trail (who repaired, acknowledged or closed what,
 * including the agent's own state changes: identity check, device history, superseded owners). Both are read from the
 * ledger; the ledger keeps no other history, so these are all its events.
 *
 * @param at     when: a record's first detection, an audit entry's time
 * @param kind   {@code detected}, {@code inherited} or {@code audit}
 * @param id     the record's or the audit entry's id in the ledger
 * @param text   the event for a person: a first line, then one indented line per owner of a record
 * @param fields the event for a script (one JSON object)
 */
record LedgerEvent(Instant at, String kind, long id, String text, Map<String, Object> fields) {
    /** Time order; at the same instant a detection comes before what was done about it, then by id. */
    static final Comparator<LedgerEvent> ORDER = Comparator.comparing(LedgerEvent::at)
            .thenComparing(event -> event.kind().equals("audit"))
            .thenComparingLong(LedgerEvent::id);

    LedgerEvent {
        Objects.requireNonNull(at, "at is null");
        Objects.requireNonNull(kind, "kind is null");
        Objects.requireNonNull(text, "text is null");
        fields = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    /** The events of these records and audit entries, in time order. */
    static List<LedgerEvent> of(List<DamageRecord> records, List<LedgerReader.AuditRow> audit) {
        List<LedgerEvent> events = new ArrayList<>(records.size() + audit.size());
        records.forEach(record -> events.add(detected(record)));
        audit.forEach(row -> events.add(audited(row)));
        events.sort(ORDER);
        return events;
    }

    static LedgerEvent detected(DamageRecord record) {
        String kind = record.inheritedFrom() == 0 ? "detected" : "inherited";
        StringBuilder text = new StringBuilder(String.format("%s %-9s record %d: %s bytes %d-%d (%s) %s, source %s%s; "
                        + "now %s, seen %d time(s), last %s", record.firstSeen(), kind, record.id(), record.deviceName(),
                record.offset(), record.end() - 1, ByteSizes.format(record.length()), errno(record.errno()),
                record.source(), record.inheritedFrom() == 0 ? "" : ", inherited from record " + record.inheritedFrom(),
                record.state(), record.count(), record.lastSeen()));
        if (record.unowned()) {
            text.append("\n        no filesystem held these bytes");
        }
        List<Map<String, Object>> owners = new ArrayList<>();
        for (AffectedOwner owner : record.owners()) {
            text.append("\n        ").append(ownerLine(owner));
            owners.add(ownerFields(owner));
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("at", record.firstSeen().toString());
        fields.put("event", kind);
        fields.put("record", record.id());
        fields.put("device", record.deviceName());
        fields.put("deviceNumber", record.device().toString());
        fields.put("offset", record.offset());
        fields.put("length", record.length());
        fields.put("errno", record.errno());
        fields.put("error", errno(record.errno()));
        fields.put("source", record.source());
        fields.put("state", record.state().name());
        fields.put("timesSeen", record.count());
        fields.put("lastSeen", record.lastSeen().toString());
        fields.put("inheritedFrom", record.inheritedFrom());
        fields.put("medium", record.medium());
        fields.put("owners", owners);
        return new LedgerEvent(record.firstSeen(), kind, record.id(), text.toString(), fields);
    }

    static LedgerEvent audited(LedgerReader.AuditRow row) {
        AuditEntry entry = row.entry();
        String where = entry.path().isEmpty() ? ""
                : " " + (entry.file().mountPoint().isEmpty() ? entry.path()
                        : LinuxPath.joinDisplayed(entry.file().mountPoint(), entry.path()));
        String text = String.format("%s %-9s %s by %s%s: %s", entry.at(), "audit", entry.action(), entry.principal(),
                where, entry.result());
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("at", entry.at().toString());
        fields.put("event", "audit");
        fields.put("audit", row.id());
        fields.put("action", entry.action());
        fields.put("principal", entry.principal());
        fields.put("filesystemUuid", entry.file().filesystemUuid());
        fields.put("mountPoint", entry.file().mountPoint());
        fields.put("inode", entry.file().inode());
        fields.put("generation", entry.file().generation());
        if (entry.file().subvolume() != 0) {
            fields.put("subvolume", entry.file().subvolume());
        }
        fields.put("path", entry.path());
        fields.put("result", entry.result());
        return new LedgerEvent(entry.at(), "audit", row.id(), text, fields);
    }

    private static String ownerLine(AffectedOwner affected) {
        String mount = affected.filesystem().mountPoint();
        String range = "fs bytes " + affected.owner().physicalOffset() + "-" + (affected.owner().physicalEnd() - 1);
        String what;
        if (affected.owner() instanceof FileOwner file) {
            String names = affected.paths().isEmpty() ? mount + " inode " + file.inode() + " (no name)"
                    : String.join(", ", affected.paths().stream().map(path -> LinuxPath.joinDisplayed(mount, path))
                            .toList());
            what = "file " + names + " (" + (file.subvolume() == 0 ? "" : "subvolume " + file.subvolume() + ", ")
                    + "inode " + file.inode() + ", generation " + file.generation() + ") "
                    + file.fork().name().toLowerCase() + " bytes " + file.fileOffset() + "-"
                    + (file.fileOffset() + file.length() - 1) + (file.shared() ? " shared" : "") + ", " + range;
        } else if (affected.owner() instanceof MetadataOwner metadata) {
            what = "metadata of " + mount + ": " + metadata.description() + " (" + metadata.kind() + "), " + range;
        } else if (affected.owner() instanceof UnknownOwner unknown) {
            what = "unknown owner in " + mount + ", " + range + ": " + unknown.reason();
        } else {
            what = "free space of " + mount + ", " + range;
        }
        return what + " [" + affected.filesystem().type() + " " + affected.filesystem().uuid() + "]: "
                + affected.state();
    }

    private static Map<String, Object> ownerFields(AffectedOwner affected) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("filesystemUuid", affected.filesystem().uuid());
        fields.put("filesystemType", affected.filesystem().type());
        fields.put("filesystemDevice", affected.filesystem().device().toString());
        fields.put("mountPoint", affected.filesystem().mountPoint());
        fields.put("physicalOffset", affected.owner().physicalOffset());
        fields.put("length", affected.owner().length());
        fields.put("state", affected.state().name());
        if (affected.owner() instanceof FileOwner file) {
            fields.put("kind", "file");
            fields.put("paths", affected.paths());
            fields.put("inode", file.inode());
            fields.put("generation", file.generation());
            if (file.subvolume() != 0) {
                fields.put("subvolume", file.subvolume());
            }
            fields.put("fork", file.fork().name());
            fields.put("fileOffset", file.fileOffset());
            fields.put("shared", file.shared());
            fields.put("unwritten", file.unwritten());
        } else if (affected.owner() instanceof MetadataOwner metadata) {
            fields.put("kind", "metadata");
            fields.put("structure", metadata.kind());
            fields.put("description", metadata.description());
            fields.put("repairHint", metadata.repairHint());
        } else if (affected.owner() instanceof UnknownOwner unknown) {
            fields.put("kind", "unknown");
            fields.put("reason", unknown.reason());
        } else {
            fields.put("kind", "free space");
        }
        return fields;
    }

    private static String errno(int errno) {
        return NativeCallException.errnoName(errno);
    }
}
