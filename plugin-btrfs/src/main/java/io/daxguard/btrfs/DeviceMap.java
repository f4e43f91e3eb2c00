package io.daxguard.btrfs;

import io.daxguard.support.linux.NativeFile;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where a member device's bytes belong: its device extents (device tree, {@code DEV_EXTENT} items keyed by devid
 * and physical offset), each the stripe of a chunk (chunk tree, {@code CHUNK_ITEM} keyed by logical address).
 *
 * <pre>
 * struct btrfs_dev_extent (48 bytes)
 *   __le64 chunk_tree       0
 *   __le64 chunk_objectid   8
 *   __le64 chunk_offset    16   the chunk's logical address
 *   __le64 length          24
 *   __u8 chunk_tree_uuid[16] 32
 * </pre>
 *
 * Made per query over one open descriptor; remembers the chunks it read.
 */
final class DeviceMap {
    static final long CHUNK_TREE = 3;
    static final long DEV_TREE = 4;
    static final int DEV_EXTENT_KEY = 204;
    static final int CHUNK_ITEM_KEY = 228;
    static final long FIRST_CHUNK_TREE_OBJECTID = 256;
    static final int DEV_EXTENT_CHUNK_OFFSET = 16;
    static final int DEV_EXTENT_LENGTH = 24;
    /**
     * No device extent is longer: a stripe of a chunk is at most 10 GiB (BTRFS_MAX_DATA_CHUNK_SIZE, the largest
     * chunk, on one device). The extents that can overlap a range start at most this far before it.
     */
    static final long LONGEST_DEV_EXTENT = 16L << 30;

    /** A device extent: {@code length} bytes at {@code physical} holding a stripe of the chunk at {@code chunkLogical}. */
    record DevExtent(long physical, long length, long chunkLogical) {
        long end() {
            return physical + length;
        }
    }

    /**
     * A run of a device's bytes with one meaning: unallocated ({@code chunk} null), or {@code length} bytes of
     * {@code chunk} from logical address {@code logical} (-1 when the profile's layout is not mapped: parity).
     */
    record Piece(long physical, long length, Chunk chunk, long logical) {
        long end() {
            return physical + length;
        }

        boolean isAllocated() {
            return chunk != null;
        }

        boolean isMapped() {
            return logical >= 0;
        }

        /** The physical offset of {@code address}, a logical address inside this mapped piece. */
        long physicalOf(long address) {
            return physical + (address - logical);
        }
    }

    private final NativeFile filesystem;
    private final Map<Long, Chunk> chunks = new HashMap<>();

    DeviceMap(NativeFile filesystem) {
        this.filesystem = filesystem;
    }

    /** The device extents of {@code devid} overlapping {@code [from, to)}, in physical order. */
    List<DevExtent> devExtents(long devid, long from, long to) throws IOException {
        List<DevExtent> extents = new ArrayList<>();
        TreeSearch.search(filesystem, DEV_TREE,
                new TreeSearch.Key(devid, DEV_EXTENT_KEY, Math.max(0, from - LONGEST_DEV_EXTENT)),
                new TreeSearch.Key(devid, DEV_EXTENT_KEY, to - 1), item -> {
                    DevExtent extent = new DevExtent(item.key().offset(), item.u64(DEV_EXTENT_LENGTH),
                            item.u64(DEV_EXTENT_CHUNK_OFFSET));
                    if (extent.end() > from) {
                        extents.add(extent);
                    }
                    return true;
                });
        return extents;
    }

    /** The chunk at logical address {@code logical} (a chunk's start). */
    Chunk chunk(long logical) throws IOException {
        Chunk known = chunks.get(logical);
        if (known != null) {
            return known;
        }
        TreeSearch.Key key = new TreeSearch.Key(FIRST_CHUNK_TREE_OBJECTID, CHUNK_ITEM_KEY, logical);
        List<TreeSearch.Item> items = TreeSearch.items(filesystem, CHUNK_TREE, key, key);
        if (items.isEmpty()) {
            throw new IOException("btrfs has no chunk at logical address " + logical + " though a device extent"
                    + " names it; the chunk tree changed (a balance?) or is damaged");
        }
        Chunk chunk = Chunk.decode(logical, items.get(0));
        chunks.put(logical, chunk);
        return chunk;
    }

    /** The chunk holding logical address {@code address}, if any. */
    Optional<Chunk> chunkHolding(long address) throws IOException {
        Chunk[] found = new Chunk[1];
        // Chunks are at most 10 GiB long: the one holding the address starts at most that far before it.
        TreeSearch.search(filesystem, CHUNK_TREE,
                new TreeSearch.Key(FIRST_CHUNK_TREE_OBJECTID, CHUNK_ITEM_KEY, Math.max(0, address - LONGEST_DEV_EXTENT)),
                new TreeSearch.Key(FIRST_CHUNK_TREE_OBJECTID, CHUNK_ITEM_KEY, address), item -> {
                    Chunk chunk = Chunk.decode(item.key().offset(), item);
                    if (address < chunk.end()) {
                        found[0] = chunk;
                    }
                    return true;
                });
        return Optional.ofNullable(found[0]);
    }

    /**
     * {@code [from, to)} of device {@code devid} cut into pieces, in physical order, covering every byte: unallocated
     * runs, and runs of a chunk each mapping to contiguous logical addresses.
     */
    List<Piece> pieces(long devid, long from, long to) throws IOException {
        List<Piece> pieces = new ArrayList<>();
        long at = from;
        for (DevExtent extent : devExtents(devid, from, to)) {
            long start = Math.max(at, extent.physical());
            if (start > at) {
                pieces.add(new Piece(at, start - at, null, -1));
            }
            long end = Math.min(to, extent.end());
            Chunk chunk = chunk(extent.chunkLogical());
            int stripe = chunk.stripeIndex(devid, extent.physical());
            if (stripe < 0) {
                throw new IOException("chunk " + chunk.logical() + " has no stripe on device " + devid + " at "
                        + extent.physical() + " though its device extent says so; the trees changed (a balance?)");
            }
            for (long p = start; p < end; ) {
                Optional<long[]> logical = chunk.logicalOf(stripe, p);
                long length = logical.isPresent() ? Math.min(logical.get()[1], end - p) : end - p;
                pieces.add(new Piece(p, length, chunk, logical.isPresent() ? logical.get()[0] : -1L));
                p += length;
            }
            at = Math.max(at, end);
        }
        if (at < to) {
            pieces.add(new Piece(at, to - at, null, -1));
        }
        return pieces;
    }
}
