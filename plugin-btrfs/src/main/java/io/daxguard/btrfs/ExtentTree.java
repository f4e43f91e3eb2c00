package io.daxguard.btrfs;

import io.daxguard.support.linux.NativeFile;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The allocated extents of a range of logical addresses, from the extent tree: {@code EXTENT_ITEM} (key: logical,
 * 168, length) for data extents and, without skinny metadata, tree blocks; {@code METADATA_ITEM} (key: logical, 169,
 * level) for tree blocks one node long. A tree block's owner is the tree its {@code TREE_BLOCK_REF} names (inline or
 * keyed); a block only {@code SHARED_BLOCK_REF}s point at is shared by a subvolume and its snapshots.
 *
 * <pre>
 * struct btrfs_extent_item (24 bytes)          struct btrfs_tree_block_info (18 bytes; non-skinny tree blocks)
 *   __le64 refs        0                          struct btrfs_disk_key key   0
 *   __le64 generation  8                          __u8 level                 17
 *   __le64 flags      16   TREE_BLOCK = 2
 * struct btrfs_extent_inline_ref: __u8 type, __le64 offset (root for TREE_BLOCK_REF, parent for SHARED_BLOCK_REF)
 * </pre>
 */
final class ExtentTree {
    static final long EXTENT_TREE = 2;
    static final int EXTENT_ITEM_KEY = 168;
    static final int METADATA_ITEM_KEY = 169;
    static final int EXTENT_OWNER_REF_KEY = 172;
    static final int TREE_BLOCK_REF_KEY = 176;
    static final int SHARED_BLOCK_REF_KEY = 182;
    static final int EXTENT_ITEM_SIZE = 24;
    static final int EXTENT_ITEM_REFS = 0;
    static final int EXTENT_ITEM_FLAGS = 16;
    static final int TREE_BLOCK_INFO_SIZE = 18;
    static final long EXTENT_FLAG_TREE_BLOCK = 2;
    /** A data extent is at most 128 MiB (BTRFS_MAX_EXTENT_SIZE). */
    static final long LONGEST_DATA_EXTENT = 128L << 20;
    /** The first window searched for an extent starting before a range. */
    static final long FIRST_WINDOW = 1L << 20;
    /** {@link Extent#ownerRoot} of a tree block that only shared references point at. */
    static final long SHARED = -1;

    /**
     * An allocated extent: a data extent, or a tree block of {@code ownerRoot} (0 when no reference names it,
     * {@link #SHARED} when only snapshots' shared references do), with the extent item's reference count (more than
     * one for a tree block a subvolume shares with its snapshots).
     */
    record Extent(long logical, long length, boolean treeBlock, long ownerRoot, long references) {
        long end() {
            return logical + length;
        }
    }

    private ExtentTree() {
    }

    /**
     * The extents of {@code chunk} overlapping logical {@code [from, to)}, in logical order. The tree is searched
     * forward only, so the extent holding {@code from} but starting before it is the last one starting in a window
     * before {@code from}: a small window first (extents are usually near), widened up to the longest extent.
     */
    static List<Extent> extents(NativeFile filesystem, Chunk chunk, long from, long to, int nodeSize)
            throws IOException {
        long longest = chunk.isData() ? LONGEST_DATA_EXTENT : nodeSize;
        List<Extent> extents = new ArrayList<>();
        for (long window = Math.min(longest, FIRST_WINDOW); from > chunk.logical(); window *= 8) {
            long low = Math.max(chunk.logical(), from - Math.min(window, longest));
            List<Extent> before = new ArrayList<>();
            collect(filesystem, low, from - 1, nodeSize, before);
            if (!before.isEmpty()) {
                Extent last = before.get(before.size() - 1);
                if (last.end() > from) {
                    extents.add(last);
                }
                break;
            }
            if (window >= longest || low == chunk.logical()) {
                break;
            }
        }
        collect(filesystem, from, to - 1, nodeSize, extents);
        return extents;
    }

    /** Appends the extents starting in {@code [low, high]} (with their keyed tree block references), in order. */
    private static void collect(NativeFile filesystem, long low, long high, int nodeSize, List<Extent> extents)
            throws IOException {
        int alreadyThere = extents.size();
        TreeSearch.search(filesystem, EXTENT_TREE, new TreeSearch.Key(low, 0, 0),
                new TreeSearch.Key(high, 255, -1L), item -> {
                    int type = item.key().type();
                    if (type == EXTENT_ITEM_KEY || type == METADATA_ITEM_KEY) {
                        long length = type == METADATA_ITEM_KEY ? nodeSize : item.key().offset();
                        boolean treeBlock = type == METADATA_ITEM_KEY
                                || (item.u64(EXTENT_ITEM_FLAGS) & EXTENT_FLAG_TREE_BLOCK) != 0;
                        long owner = treeBlock ? inlineOwner(item, type == EXTENT_ITEM_KEY) : 0;
                        extents.add(new Extent(item.key().objectid(), length, treeBlock, owner,
                                item.u64(EXTENT_ITEM_REFS)));
                    } else if ((type == TREE_BLOCK_REF_KEY || type == SHARED_BLOCK_REF_KEY)
                            && extents.size() > alreadyThere) {
                        Extent last = extents.get(extents.size() - 1);
                        if (last.logical() == item.key().objectid() && last.treeBlock()
                                && (last.ownerRoot() == 0 || last.ownerRoot() == SHARED)) {
                            long owner = type == TREE_BLOCK_REF_KEY ? item.key().offset() : SHARED;
                            if (last.ownerRoot() == 0 || owner != SHARED) {
                                extents.set(extents.size() - 1, new Extent(last.logical(), last.length(), true, owner,
                                        last.references()));
                            }
                        }
                    }
                    return true;
                });
    }

    /** The root named by a tree block's inline references, {@link #SHARED} or 0 when none names one. */
    private static long inlineOwner(TreeSearch.Item item, boolean withBlockInfo) {
        int at = EXTENT_ITEM_SIZE + (withBlockInfo ? TREE_BLOCK_INFO_SIZE : 0);
        long owner = 0;
        while (at + 9 <= item.data().length) {
            int type = item.u8(at);
            long offset = item.u64(at + 1);
            if (type == TREE_BLOCK_REF_KEY || type == EXTENT_OWNER_REF_KEY) {
                return offset;
            }
            if (type == SHARED_BLOCK_REF_KEY) {
                owner = SHARED;
            } else {
                break; // a reference a tree block does not have: stop rather than misread
            }
            at += 9;
        }
        return owner;
    }
}
