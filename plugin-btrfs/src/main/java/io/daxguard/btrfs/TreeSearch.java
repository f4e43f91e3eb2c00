package io.daxguard.btrfs;

import com.sun.jna.Memory;
import io.daxguard.support.linux.NativeCallException;
import io.daxguard.support.linux.NativeFile;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code BTRFS_IOC_TREE_SEARCH_V2}: the items of any btrfs tree between two keys, in key order. Needs
 * {@code CAP_SYS_ADMIN}.
 *
 * <pre>
 * struct btrfs_ioctl_search_args_v2 (112 bytes + buffer)   struct btrfs_ioctl_search_key (104 bytes)
 *   struct btrfs_ioctl_search_key key     0                   __u64 tree_id            0
 *   __u64 buf_size                      104                   __u64 min_objectid       8
 *   __u64 buf[]                         112                   __u64 max_objectid      16
 *                                                             __u64 min_offset        24
 * struct btrfs_ioctl_search_header (32 bytes)                 __u64 max_offset        32
 *   __u64 transid    0                                        __u64 min_transid       40
 *   __u64 objectid   8                                        __u64 max_transid       48
 *   __u64 offset    16                                        __u32 min_type          56
 *   __u32 type      24                                        __u32 max_type          60
 *   __u32 len       28   (item data follows)                  __u32 nr_items          64
 * </pre>
 *
 * The kernel compares whole keys (objectid, type, offset) with the min and max keys, so a search returns exactly
 * the items between them; it returns as many as fit, and the next call starts after the last one.
 */
final class TreeSearch {
    /** {@code _IOWR(0x94, 17, struct btrfs_ioctl_search_args_v2)}. */
    static final long BTRFS_IOC_TREE_SEARCH_V2 = 0xc0709411L;
    static final int ARGS_SIZE = 112;
    static final int KEY_TREE_ID = 0;
    static final int KEY_MIN_OBJECTID = 8;
    static final int KEY_MAX_OBJECTID = 16;
    static final int KEY_MIN_OFFSET = 24;
    static final int KEY_MAX_OFFSET = 32;
    static final int KEY_MIN_TRANSID = 40;
    static final int KEY_MAX_TRANSID = 48;
    static final int KEY_MIN_TYPE = 56;
    static final int KEY_MAX_TYPE = 60;
    static final int KEY_NR_ITEMS = 64;
    static final int OFFSET_BUF_SIZE = 104;
    static final int HEADER_SIZE = 32;
    static final int HEADER_OBJECTID = 8;
    static final int HEADER_OFFSET = 16;
    static final int HEADER_TYPE = 24;
    static final int HEADER_LEN = 28;

    /** Room for several leaves' worth of items per call (a leaf is at most 64 KiB). */
    private static final int BUFFER = 256 * 1024;

    /** A btrfs key: items sort by objectid, then type, then offset (all unsigned). */
    record Key(long objectid, int type, long offset) {
        static final Key MAX = new Key(-1L, 255, -1L);

        /** The key right after this one, or null after the last possible key. */
        Key next() {
            if (offset != -1L) {
                return new Key(objectid, type, offset + 1);
            }
            if (type != 255) {
                return new Key(objectid, type + 1, 0);
            }
            return objectid == -1L ? null : new Key(objectid + 1, 0, 0);
        }

        int compareTo(Key other) {
            int c = Long.compareUnsigned(objectid, other.objectid);
            if (c == 0) {
                c = Integer.compare(type, other.type);
            }
            return c != 0 ? c : Long.compareUnsigned(offset, other.offset);
        }
    }

    /** One item: its key and data (little-endian, as on disk). */
    record Item(Key key, byte[] data) {
        long u64(int at) {
            return LittleEndian.u64(data, at);
        }

        int u32(int at) {
            return LittleEndian.u32(data, at);
        }

        int u16(int at) {
            return LittleEndian.u16(data, at);
        }

        int u8(int at) {
            return data[at] & 0xff;
        }
    }

    /** Receives items in key order; returns false to stop. */
    @FunctionalInterface
    interface Visitor {
        boolean visit(Item item) throws IOException;
    }

    private TreeSearch() {
    }

    /** Every item of tree {@code treeId} from {@code min} to {@code max}, both included. */
    static List<Item> items(NativeFile filesystem, long treeId, Key min, Key max) throws IOException {
        List<Item> items = new ArrayList<>();
        search(filesystem, treeId, min, max, item -> items.add(item));
        return items;
    }

    /** Visits every item of tree {@code treeId} from {@code min} to {@code max}, both included, in key order. */
    static void search(NativeFile filesystem, long treeId, Key min, Key max, Visitor visitor) throws IOException {
        try (Memory args = new Memory(ARGS_SIZE + BUFFER)) {
            Key from = min;
            while (from != null && from.compareTo(max) <= 0) {
                args.clear(ARGS_SIZE);
                args.setLong(KEY_TREE_ID, treeId);
                args.setLong(KEY_MIN_OBJECTID, from.objectid());
                args.setInt(KEY_MIN_TYPE, from.type());
                args.setLong(KEY_MIN_OFFSET, from.offset());
                args.setLong(KEY_MAX_OBJECTID, max.objectid());
                args.setInt(KEY_MAX_TYPE, max.type());
                args.setLong(KEY_MAX_OFFSET, max.offset());
                args.setLong(KEY_MIN_TRANSID, 0);
                args.setLong(KEY_MAX_TRANSID, -1L);
                args.setInt(KEY_NR_ITEMS, Integer.MAX_VALUE);
                args.setLong(OFFSET_BUF_SIZE, BUFFER);
                filesystem.ioctl("BTRFS_IOC_TREE_SEARCH_V2(tree " + Long.toUnsignedString(treeId) + ")",
                        BTRFS_IOC_TREE_SEARCH_V2, args);
                int count = args.getInt(KEY_NR_ITEMS);
                if (count == 0) {
                    return;
                }
                long at = ARGS_SIZE;
                Key last = null;
                for (int i = 0; i < count; i++) {
                    last = new Key(args.getLong(at + HEADER_OBJECTID), args.getInt(at + HEADER_TYPE),
                            args.getLong(at + HEADER_OFFSET));
                    int length = args.getInt(at + HEADER_LEN);
                    byte[] data = args.getByteArray(at + HEADER_SIZE, length);
                    at += HEADER_SIZE + length;
                    if (!visitor.visit(new Item(last, data))) {
                        return;
                    }
                }
                from = last.next();
            }
        }
    }

    /** Whether the tree could not be searched because it does not exist (a tree this filesystem was made without). */
    static boolean isMissingTree(NativeCallException e) {
        return e.errno() == NativeCallException.ENOENT;
    }
}
