package io.daxguard.agent.route;

import io.daxguard.agent.ledger.AffectedOwner;
import io.daxguard.agent.ledger.DamageRecord;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.FreeSpaceOwner;
import io.daxguard.spi.MetadataOwner;
import io.daxguard.spi.Owner;
import io.daxguard.spi.UnknownOwner;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Whether an open record that covers a reported range still tells the truth about it: a failure reported again
 * is "already known" only when the same disk, the same filesystem (by UUID) and the same owners hold the range
 * now, for every kind of owner. Files are deleted, rewritten away from a shared block, blocks reused; free space
 * gets allocated; a filesystem is re-made on the disk; the disk is swapped. Any of those makes the report new.
 */
final class StillKnown {
    private StillKnown() {
    }

    /**
     * @param known          whether the record still says what holds the range
     * @param noLongerOwning indexes of the record's open owners, wholly inside the range, that do not hold it now
     *                       (superseded by the new record)
     */
    record Verdict(boolean known, List<Integer> noLongerOwning) {
        static final Verdict KNOWN = new Verdict(true, List.of());
        static final Verdict CHANGED = new Verdict(false, List.of());
    }

    /**
     * @param mediumNow the disk under the device now ({@code DiskIdentity}), empty when unknown
     * @param uuidNow   the UUID of the filesystem holding the device now; empty when none is held (nothing can
     *                  then be compared, and the record stands)
     * @param now       every owner of {@code [from, end)} now, filesystem-relative (empty when none is held)
     */
    static Verdict judge(DamageRecord record, String mediumNow, Optional<String> uuidNow, List<AffectedOwner> now,
                         long from, long end) {
        if (!record.medium().isEmpty() && !mediumNow.isEmpty() && !record.medium().equals(mediumNow)) {
            return Verdict.CHANGED; // another disk under the same device name: its bad sectors are its own
        }
        if (uuidNow.isEmpty()) {
            return Verdict.KNOWN;
        }
        if (record.unowned() || !record.ofFilesystem(uuidNow.get())) {
            return Verdict.CHANGED;
        }
        boolean known = true;
        for (AffectedOwner owner : now) {
            if (record.owners().stream().noneMatch(had -> had.state().pending() && same(had.owner(), owner.owner())
                    && covers(had.owner(), owner.owner()))) {
                known = false;
            }
        }
        List<Integer> gone = new ArrayList<>();
        for (int index = 0; index < record.owners().size(); index++) {
            AffectedOwner had = record.owners().get(index);
            if (!had.state().pending() || !intersects(had.owner(), from, end)) {
                continue;
            }
            if (now.stream().noneMatch(owner -> same(had.owner(), owner.owner())
                    && intersects(owner.owner(), had.owner().physicalOffset(), had.owner().physicalEnd()))) {
                known = false;
                if (from <= had.owner().physicalOffset() && had.owner().physicalEnd() <= end) {
                    gone.add(index);
                }
            }
        }
        return known ? Verdict.KNOWN : new Verdict(false, gone);
    }

    /** The same owner: the same file (subvolume, inode, generation, fork), the same kind of metadata, free, or unknown. */
    static boolean same(Owner a, Owner b) {
        if (a instanceof FileOwner fa && b instanceof FileOwner fb) {
            return fa.subvolume() == fb.subvolume() && fa.inode() == fb.inode() && fa.generation() == fb.generation()
                    && fa.fork() == fb.fork();
        }
        if (a instanceof MetadataOwner ma && b instanceof MetadataOwner mb) {
            return ma.kind().equals(mb.kind());
        }
        return a instanceof FreeSpaceOwner && b instanceof FreeSpaceOwner
                || a instanceof UnknownOwner && b instanceof UnknownOwner;
    }

    private static boolean covers(Owner outer, Owner inner) {
        return outer.physicalOffset() <= inner.physicalOffset() && inner.physicalEnd() <= outer.physicalEnd();
    }

    private static boolean intersects(Owner owner, long from, long end) {
        return owner.physicalOffset() < end && from < owner.physicalEnd();
    }
}
