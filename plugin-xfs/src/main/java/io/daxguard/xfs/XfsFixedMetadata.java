package io.daxguard.xfs;

import io.daxguard.spi.MetadataOwner;
import io.daxguard.spi.Mount;
import io.daxguard.support.index.AllocatedRanges;
import io.daxguard.support.index.ByteSpan;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The XFS metadata whose place the geometry alone gives: each AG's header sectors (superblock, AGF, AGI, AGFL)
 * and the internal log. Without the reverse-map btree GETFSMAP calls these "unknown" like every other used
 * block; naming them keeps them from being handed to the file index, which could never explain them. Everything
 * else XFS allocates for itself (free-space and inode btrees, inode chunks, bmbt blocks, directories' and
 * symlinks' blocks the index does not map) stays unknown.
 */
final class XfsFixedMetadata {
    /** XFS puts four header sectors at the start of every AG: sb, agf, agi, agfl. */
    private static final int HEADER_SECTORS = 4;

    /** One named range, filesystem-relative bytes. */
    record Extent(XfsSpecialOwner kind, long start, long end) implements AllocatedRanges.KnownExtent {
    }

    private final List<Extent> extents;
    private final Mount mount;

    private XfsFixedMetadata(List<Extent> extents, Mount mount) {
        this.extents = List.copyOf(extents);
        this.mount = mount;
    }

    /** The fixed metadata of a filesystem of this geometry; {@code mount} is named in repair hints. */
    static XfsFixedMetadata of(XfsGeometry geometry, Mount mount) {
        List<Extent> extents = new ArrayList<>();
        long blockSize = geometry.blockSize();
        long agBytes = (long) geometry.agBlocks() * blockSize;
        long headerBytes = ((long) HEADER_SECTORS * geometry.sectorSize() + blockSize - 1) / blockSize * blockSize;
        for (long ag = 0; ag < geometry.agCount(); ag++) {
            long start = ag * agBytes;
            if (start >= geometry.dataBytes()) {
                break;
            }
            extents.add(new Extent(XfsSpecialOwner.STATIC, start, Math.min(start + headerBytes, geometry.dataBytes())));
        }
        if (!geometry.hasExternalLog()) {
            long start = geometry.fsBlockToByte(geometry.logStart());
            extents.add(new Extent(XfsSpecialOwner.LOG, start, start + (long) geometry.logBlocks() * blockSize));
        }
        extents.sort(Comparator.comparingLong(Extent::start));
        return new XfsFixedMetadata(extents, mount);
    }

    List<Extent> extents() {
        return extents;
    }

    /**
     * Splits a range GETFSMAP calls allocated-but-unknown: named metadata goes to {@code owners}, the rest to
     * {@code allocated} for the index.
     */
    void split(long from, long to, List<? super MetadataOwner> owners, List<ByteSpan> allocated) {
        AllocatedRanges.splitAround(from, to, extents, (extent, start, stop) -> {
            XfsSpecialOwner kind = extent.kind();
            owners.add(new MetadataOwner(kind.kind(), kind.description(), kind.repairHint(mount), start,
                    stop - start));
        }, allocated);
    }
}
