package io.daxguard.agent.ledger;

import io.daxguard.agent.ranges.RangeSet;
import io.daxguard.spi.FileOwner;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Everything the ledger knows of one damaged file: a view assembled from damage records, which stay the
 * only state.
 *
 * @param key   the file's identity
 * @param paths its names as last recorded
 * @param hits  every (record, owner) pair that names the file, by file offset
 */
public record DamagedFile(FileKey key, List<String> paths, List<Hit> hits) {
    public DamagedFile {
        Objects.requireNonNull(key, "key is null");
        paths = List.copyOf(paths);
        hits = List.copyOf(hits);
    }

    /**
     * One damaged range of the file and the record it comes from.
     *
     * @param ownerIndex which owner of the record this file is
     * @param state      this file's state for the range (a sharer's may differ)
     */
    public record Hit(DamageRecord record, int ownerIndex, FileOwner owner, DamageState state) {
        public boolean open() {
            return state == DamageState.OPEN;
        }
    }

    /** The name the MBean is registered under: the first path, or a marker naming the inode. */
    public String displayPath() {
        return paths.isEmpty() ? "(no name) inode " + key.inode() : paths.get(0);
    }

    /** Bytes of the file damaged, each counted once even when overlapping failures were reported. */
    public long damagedBytes() {
        RangeSet bytes = new RangeSet();
        hits.forEach(hit -> bytes.add(hit.owner().physicalOffset(), hit.owner().physicalEnd()));
        return bytes.totalLength();
    }

    /** OPEN while any hit is open; otherwise the state of the latest hit. */
    public DamageState state() {
        if (hits.stream().anyMatch(Hit::open)) {
            return DamageState.OPEN;
        }
        return hits.stream().max(Comparator.comparing((Hit hit) -> hit.record().lastSeen())
                        .thenComparingLong(hit -> hit.record().id()))
                .map(Hit::state).orElse(DamageState.OPEN);
    }

    /** The hits still open. */
    public List<Hit> openHits() {
        return hits.stream().filter(Hit::open).toList();
    }

    public Instant firstSeen() {
        return hits.stream().map(hit -> hit.record().firstSeen()).min(Comparator.naturalOrder()).orElseThrow();
    }

    public Instant lastSeen() {
        return hits.stream().map(hit -> hit.record().lastSeen()).max(Comparator.naturalOrder()).orElseThrow();
    }

    /** Groups the file owners of {@code records} by file (its filesystem's UUID, inode and generation). */
    public static List<DamagedFile> group(List<DamageRecord> records) {
        return grouped(records, null);
    }

    /**
     * {@link #group} of the files of one filesystem, by its UUID: wherever it was mounted when each record was made
     * (a filesystem unmounted and mounted elsewhere is the same filesystem, its files the same files).
     */
    public static List<DamagedFile> ofFilesystem(List<DamageRecord> records, String filesystemUuid) {
        return grouped(records, Objects.requireNonNull(filesystemUuid, "filesystemUuid is null"));
    }

    /**
     * The file {@code key} as {@code records} show it (owners that are other files are passed over): with
     * {@link DamageLedger#recordsNaming} it costs that file's records, not a regroup of the ledger.
     */
    public static Optional<DamagedFile> of(FileKey key, List<DamageRecord> records) {
        List<DamagedFile> found = grouped(records, key.filesystemUuid(), Objects.requireNonNull(key, "key is null"));
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    private static List<DamagedFile> grouped(List<DamageRecord> records, String filesystemUuid) {
        return grouped(records, filesystemUuid, null);
    }

    /** Groups by file; {@code filesystemUuid} null: every filesystem; {@code only} not null: that file alone. */
    private static List<DamagedFile> grouped(List<DamageRecord> records, String filesystemUuid, FileKey only) {
        Map<FileKey, List<Hit>> hits = new LinkedHashMap<>();
        Map<FileKey, List<String>> names = new LinkedHashMap<>();
        // The key of the newest record naming the file: its mount point is where the filesystem was seen last.
        Map<FileKey, FileKey> latest = new LinkedHashMap<>();
        for (DamageRecord record : records) {
            for (int index = 0; index < record.owners().size(); index++) {
                AffectedOwner affected = record.owners().get(index);
                if (!(affected.owner() instanceof FileOwner file)) {
                    continue;
                }
                if (filesystemUuid != null && !affected.filesystem().uuid().equals(filesystemUuid)
                        || only != null && !affected.isFile(only)) {
                    continue;
                }
                FileKey key = affected.fileKey().orElseThrow().onMedium(record.medium());
                hits.computeIfAbsent(key, k -> new ArrayList<>()).add(new Hit(record, index, file, affected.state()));
                names.put(key, affected.paths());
                latest.put(key, key);
            }
        }
        List<DamagedFile> files = new ArrayList<>();
        for (Map.Entry<FileKey, List<Hit>> entry : hits.entrySet()) {
            List<Hit> byOffset = new ArrayList<>(entry.getValue());
            byOffset.sort(Comparator.comparing((Hit hit) -> hit.owner().fork()).thenComparingLong(hit -> hit.owner().fileOffset()));
            files.add(new DamagedFile(latest.get(entry.getKey()), names.get(entry.getKey()), byOffset));
        }
        files.sort(Comparator.comparing(DamagedFile::displayPath));
        return files;
    }

    /** This file with other names (its names now, looked up again by inode and generation). */
    public DamagedFile withPaths(List<String> names) {
        return new DamagedFile(key, names, hits);
    }

    /** The other files that share any of this file's damaged blocks, by path (reflinked copies). */
    public List<String> sharedWith(List<DamagedFile> all) {
        TreeSet<String> sharers = new TreeSet<>();
        for (Hit hit : hits) {
            if (!hit.owner().shared()) {
                continue;
            }
            for (DamagedFile other : all) {
                if (other.key().equals(key)) {
                    continue;
                }
                for (Hit theirs : other.hits()) {
                    if (theirs.owner().shared() && overlaps(hit, theirs)) {
                        sharers.add(other.displayPath());
                    }
                }
            }
        }
        return List.copyOf(sharers);
    }

    private static boolean overlaps(Hit a, Hit b) {
        return a.record().device().equals(b.record().device())
                && a.owner().physicalOffset() < b.owner().physicalEnd()
                && b.owner().physicalOffset() < a.owner().physicalEnd();
    }
}
