package io.daxguard.btrfs;

import io.daxguard.spi.FileOwner;
import io.daxguard.spi.Fork;
import io.daxguard.spi.FreeSpaceOwner;
import io.daxguard.spi.MetadataOwner;
import io.daxguard.spi.Owner;
import io.daxguard.spi.UnknownOwner;
import io.daxguard.support.linux.NativeFile;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The owners of one {@link DeviceMap.Piece}: for a data chunk, every file (in every subvolume and snapshot) whose
 * extents use its bytes, found with {@code LOGICAL_INO_V2}; for a metadata or system chunk, the tree each block
 * belongs to; free space between the extents the extent tree holds, and outside every chunk. Made per query.
 */
final class PieceOwners {
    private final NativeFile filesystem;
    private final FileExtents files;
    private final int nodeSize;
    private final RepairHints hints;
    /** Whether an answer named free space inside a chunk: perhaps written since the last commit (see there). */
    private boolean freeSpaceInChunk;

    PieceOwners(NativeFile filesystem, int nodeSize, RepairHints hints) {
        this.filesystem = filesystem;
        this.files = new FileExtents(filesystem);
        this.nodeSize = nodeSize;
        this.hints = hints;
    }

    /** Every owner of {@code piece}, in physical order (sharers of a byte one after another). */
    List<Owner> of(DeviceMap.Piece piece) throws IOException {
        if (!piece.isAllocated()) {
            return List.of(new FreeSpaceOwner(piece.physical(), piece.length()));
        }
        if (!piece.isMapped()) {
            return List.of(new UnknownOwner(piece.physical(), piece.length(), "a " + piece.chunk().profile().label()
                    + " chunk at logical " + piece.chunk().logical() + ": daxguard does not map parity layouts"));
        }
        long from = piece.logical();
        long to = from + piece.length();
        List<Owner> owners = new ArrayList<>();
        long at = from;
        for (ExtentTree.Extent extent : ExtentTree.extents(filesystem, piece.chunk(), from, to, nodeSize)) {
            long start = Math.max(from, extent.logical());
            long end = Math.min(to, extent.end());
            if (start >= end) {
                continue;
            }
            if (start > at) {
                owners.add(new FreeSpaceOwner(piece.physicalOf(at), start - at));
            }
            if (extent.treeBlock()) {
                owners.add(new MetadataOwner("btrfs.tree." + Trees.kindName(extent.ownerRoot()),
                        Trees.description(extent.ownerRoot()) + ", tree block at logical " + extent.logical()
                                + (extent.references() > 1 ? " shared by " + extent.references()
                                        + " trees (a subvolume and its snapshots)" : "") + ", in a "
                                + piece.chunk().profile().label() + " " + piece.chunk().contents() + " chunk",
                        hints.treeBlock(piece.chunk(), extent.ownerRoot()), piece.physicalOf(start), end - start));
            } else {
                owners.addAll(dataOwners(piece, extent, start, end));
            }
            at = Math.max(at, end);
        }
        if (at < to) {
            owners.add(new FreeSpaceOwner(piece.physicalOf(at), to - at));
        }
        owners.sort(java.util.Comparator.comparingLong(Owner::physicalOffset));
        freeSpaceInChunk |= owners.stream().anyMatch(FreeSpaceOwner.class::isInstance);
        return owners;
    }

    /**
     * Whether some answer named free space inside a chunk. The extent tree changes when the transaction commits
     * (every 30 s by default); until then an extent written since (an fsynced file's: btrfs logs the fsync in its log
     * tree) is not in it, and its bytes read as free.
     */
    boolean namedFreeSpaceInChunk() {
        return freeSpaceInChunk;
    }

    /** The files using logical {@code [start, end)} of data extent {@code extent}; free space where none does. */
    private List<Owner> dataOwners(DeviceMap.Piece piece, ExtentTree.Extent extent, long start, long end)
            throws IOException {
        List<FileExtents.FileExtent> uses = new ArrayList<>();
        List<BtrfsIoctls.Reference> users = new ArrayList<>();
        for (BtrfsIoctls.Reference reference : BtrfsIoctls.logicalIno(filesystem, extent.logical(), true)) {
            if (!Trees.isSubvolume(reference.root())) {
                continue; // the data relocation tree, during a balance: not a file
            }
            Optional<FileExtents.FileExtent> use = files.of(reference.root(), reference.inode(), reference.offset(),
                    extent.logical(), extent.length());
            if (use.isPresent() && use.get().logical() < end && use.get().end() > start) {
                uses.add(use.get());
                users.add(reference);
            }
        }
        if (users.isEmpty()) {
            return List.of(new UnknownOwner(piece.physicalOf(start), end - start, "a data extent at logical "
                    + extent.logical() + " that no file uses now (being freed, or moved by a balance)"));
        }
        List<Owner> owners = new ArrayList<>();
        List<long[]> covered = new ArrayList<>();
        for (int i = 0; i < users.size(); i++) {
            BtrfsIoctls.Reference user = users.get(i);
            FileExtents.FileExtent use = uses.get(i);
            long a = Math.max(start, use.logical());
            long b = Math.min(end, use.end());
            Optional<Long> generation = files.generation(user.root(), user.inode());
            if (generation.isEmpty()) {
                owners.add(new UnknownOwner(piece.physicalOf(a), b - a, "inode " + user.inode() + " of subvolume "
                        + user.root() + " was deleted while its blocks were looked up"));
                continue;
            }
            boolean shared = false;
            for (int j = 0; j < uses.size(); j++) {
                shared |= j != i && uses.get(j).logical() < b && uses.get(j).end() > a;
            }
            long fileOffset = use.compressed() ? use.fileOffset() : use.fileOffset() + (a - use.logical());
            owners.add(new FileOwner(user.inode(), generation.get(), Fork.DATA, fileOffset, piece.physicalOf(a), b - a,
                    shared, use.prealloc(), user.root()));
            covered.add(new long[] {a, b});
        }
        // Bytes of the extent no file uses any more (a partly overwritten extent keeps them until all of it is
        // free): nothing reads them.
        covered.sort(java.util.Comparator.comparingLong(r -> r[0]));
        long at = start;
        for (long[] range : covered) {
            if (range[0] > at) {
                owners.add(new FreeSpaceOwner(piece.physicalOf(at), range[0] - at));
            }
            at = Math.max(at, range[1]);
        }
        if (at < end) {
            owners.add(new FreeSpaceOwner(piece.physicalOf(at), end - at));
        }
        return owners;
    }
}
