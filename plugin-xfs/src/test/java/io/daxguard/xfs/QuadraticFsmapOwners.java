package io.daxguard.xfs;

import io.daxguard.spi.FileOwner;
import io.daxguard.spi.Fork;
import io.daxguard.spi.FreeSpaceOwner;
import io.daxguard.spi.MetadataOwner;
import io.daxguard.spi.Mount;
import io.daxguard.spi.Owner;
import io.daxguard.spi.UnknownOwner;
import io.daxguard.support.linux.FsmapRecord;
import io.daxguard.xfs.XfsBulkstat.InodeStat;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The sharing split as it was before issue 13 (every shared record compared with every other: O(n^2)), kept
 * verbatim as the reference the linear {@link FsmapOwners} must agree with, owner for owner. Do not change it.
 *
 * <p>Turns the GETFSMAP records of one query into the owners a {@link io.daxguard.spi.Holder} reports: each record
 * trimmed to the queried range (XFS returns whole records), file offsets moved by the trimmed amount, special
 * owners named, and every byte of the range covered (gaps become {@link UnknownOwner}).
 *
 * <p>Sharing is decided per byte, not per record: XFS flags a whole record shared when any block of it is, so a
 * shared record is split where its sharers start and end, and a piece is {@code shared} only when another data
 * record of the same query covers it. Every sharer of a queried byte is in the query's answer, so this is exact.
 */
final class QuadraticFsmapOwners {
    private final long from;
    private final long to;
    private final long filesystemBytes;
    private final Mount mount;

    /** A record cut down to the queried range. */
    private record Trimmed(FsmapRecord record, long start, long end) {
        boolean overlaps(long otherStart, long otherEnd) {
            return start < otherEnd && otherStart < end;
        }

        /** Whether this is written or unwritten data of a file (the only records that can be shared). */
        boolean isFileData() {
            return !record.isSpecialOwner() && !record.isAttributeFork() && !record.isExtentMap();
        }
    }

    /**
     * @param from            first queried byte
     * @param to              one past the last queried byte
     * @param filesystemBytes the size of the data device's filesystem, to explain gaps past its end
     * @param mount           the filesystem's mount, named in repair hints
     */
    QuadraticFsmapOwners(long from, long to, long filesystemBytes, Mount mount) {
        this.from = from;
        this.to = to;
        this.filesystemBytes = filesystemBytes;
        this.mount = mount;
    }

    /**
     * The owners of {@code [from, to)}, in physical order.
     *
     * @param records the query's records of the data device, in the kernel's order
     * @param inodes  BULKSTAT of every inode the records name; empty for an inode freed since GETFSMAP named it
     */
    List<Owner> owners(List<FsmapRecord> records, Map<Long, Optional<InodeStat>> inodes) {
        List<Trimmed> trimmed = new ArrayList<>();
        for (FsmapRecord record : records) {
            long start = Math.max(record.physical(), from);
            long end = Math.min(record.end(), to);
            if (start < end) {
                trimmed.add(new Trimmed(record, start, end));
            }
        }
        List<Trimmed> sharedData = trimmed.stream().filter(t -> t.isFileData() && t.record().isShared()).toList();
        List<Owner> owners = new ArrayList<>();
        for (Trimmed piece : trimmed) {
            FsmapRecord record = piece.record();
            if (record.isSpecialOwner()) {
                owners.add(special(record.owner(), piece.start(), piece.end() - piece.start()));
                continue;
            }
            Optional<InodeStat> stat = inodes.getOrDefault(record.owner(), Optional.empty());
            if (stat.isEmpty()) {
                // Keep the bytes covered: the file was deleted between GETFSMAP and BULKSTAT, so the blocks are
                // free or reused by now; a fresh query tells which.
                owners.add(new UnknownOwner(piece.start(), piece.end() - piece.start(), "inode " + record.owner()
                        + " was named by the reverse map but freed before its generation could be read"
                        + " (the file was deleted meanwhile); query again"));
                continue;
            }
            if (piece.isFileData() && record.isShared()) {
                addSplitBySharers(owners, piece, sharedData, stat.get().generation());
            } else {
                owners.add(fileOwner(piece, piece.start(), piece.end(), stat.get().generation(), false));
            }
        }
        owners.sort(Comparator.comparingLong(Owner::physicalOffset));
        return withGapsFilled(owners);
    }

    private void addSplitBySharers(List<Owner> owners, Trimmed piece, List<Trimmed> sharedData, long generation) {
        TreeSet<Long> cuts = new TreeSet<>(List.of(piece.start(), piece.end()));
        for (Trimmed other : sharedData) {
            if (other != piece && other.overlaps(piece.start(), piece.end())) {
                cuts.add(Math.max(other.start(), piece.start()));
                cuts.add(Math.min(other.end(), piece.end()));
            }
        }
        Long start = cuts.first();
        for (Long end = cuts.higher(start); end != null; start = end, end = cuts.higher(end)) {
            long a = start;
            long b = end;
            boolean shared = sharedData.stream().anyMatch(other -> other != piece && other.overlaps(a, b));
            owners.add(fileOwner(piece, a, b, generation, shared));
        }
    }

    private static FileOwner fileOwner(Trimmed piece, long start, long end, long generation, boolean shared) {
        FsmapRecord record = piece.record();
        Fork fork = record.isExtentMap() ? Fork.EXTENT_MAP : record.isAttributeFork() ? Fork.ATTRIBUTES : Fork.DATA;
        // Extent-map blocks have no offset in the file; XFS reports 0 for them.
        long fileOffset = fork == Fork.EXTENT_MAP ? 0 : record.offset() + (start - record.physical());
        return new FileOwner(record.owner(), generation, fork, fileOffset, start, end - start, shared,
                record.isPrealloc());
    }

    private Owner special(long owner, long start, long length) {
        if (owner == FsmapRecord.OWN_FREE) {
            return new FreeSpaceOwner(start, length);
        }
        if (owner == FsmapRecord.OWN_UNKNOWN) {
            return new UnknownOwner(start, length, "XFS reports no owner for these blocks (is the reverse-map"
                    + " btree in use and the caller CAP_SYS_ADMIN?)");
        }
        if (owner == FsmapRecord.OWN_METADATA) {
            return new MetadataOwner("xfs.metadata", "filesystem metadata",
                    XfsSpecialOwner.offlineRepairHint(mount), start, length);
        }
        Optional<XfsSpecialOwner> special = XfsSpecialOwner.of(owner);
        if (special.isEmpty()) {
            return new UnknownOwner(start, length, "XFS reports a special owner daxguard does not know: 0x"
                    + Long.toHexString(owner));
        }
        XfsSpecialOwner kind = special.get();
        return new MetadataOwner(kind.kind(), kind.description(), kind.repairHint(mount), start, length);
    }

    /** Inserts an {@link UnknownOwner} for every byte of the query no owner covers. */
    private List<Owner> withGapsFilled(List<Owner> sorted) {
        List<Owner> complete = new ArrayList<>(sorted.size() + 2);
        long covered = from;
        for (Owner owner : sorted) {
            if (owner.physicalOffset() > covered) {
                addGap(complete, covered, owner.physicalOffset());
            }
            complete.add(owner);
            covered = Math.max(covered, owner.physicalEnd());
        }
        if (covered < to) {
            addGap(complete, covered, to);
        }
        return complete;
    }

    private void addGap(List<Owner> owners, long start, long end) {
        long insideEnd = Math.min(end, Math.max(start, filesystemBytes));
        if (start < insideEnd) {
            owners.add(new UnknownOwner(start, insideEnd - start, "XFS reported no record for this range"));
        }
        long beyond = Math.max(start, filesystemBytes);
        if (beyond < end) {
            owners.add(new UnknownOwner(beyond, end - beyond, "beyond the end of the filesystem, which holds "
                    + filesystemBytes + " bytes of the device"));
        }
    }
}
