package io.daxguard.btrfs;

/** Names of btrfs trees by root id, as MetadataOwner kinds and as an administrator reads them. */
final class Trees {
    static final long ROOT_TREE = 1;
    static final long FS_TREE = 5;
    static final long FIRST_FREE_OBJECTID = 256;
    /** BTRFS_LAST_FREE_OBJECTID, -256: subvolume ids are between 256 and this (unsigned). */
    static final long LAST_FREE_OBJECTID = -256L;

    private Trees() {
    }

    /** Whether {@code root} is a subvolume's or snapshot's file tree (the top level's included). */
    static boolean isSubvolume(long root) {
        return root == FS_TREE || (Long.compareUnsigned(root, FIRST_FREE_OBJECTID) >= 0
                && Long.compareUnsigned(root, LAST_FREE_OBJECTID) <= 0);
    }

    /** The structure's name in a MetadataOwner kind: {@code btrfs.tree.<name>}. */
    static String kindName(long root) {
        if (root == ExtentTree.SHARED || isSubvolume(root)) {
            return "fs";
        }
        return switch ((int) root) {
            case 1 -> "root";
            case 2 -> "extent";
            case 3 -> "chunk";
            case 4 -> "dev";
            case 7 -> "csum";
            case 8 -> "quota";
            case 9 -> "uuid";
            case 10 -> "free-space";
            case 11 -> "block-group";
            case 12 -> "raid-stripe";
            case -6 -> "log";
            case -7 -> "log";
            case -8 -> "reloc";
            case -9 -> "data-reloc";
            default -> root == 0 ? "unknown" : "id-" + Long.toUnsignedString(root);
        };
    }

    /** What the tree is, for an administrator. */
    static String description(long root) {
        if (root == ExtentTree.SHARED) {
            return "a file tree block shared by a subvolume and its snapshots";
        }
        if (root == FS_TREE) {
            return "the file tree of the top-level subvolume (fs root 5)";
        }
        if (isSubvolume(root)) {
            return "the file tree of subvolume " + root;
        }
        return switch ((int) root) {
            case 1 -> "the root tree (where every other tree is)";
            case 2 -> "the extent tree (what is allocated)";
            case 3 -> "the chunk tree (where chunks are on the devices)";
            case 4 -> "the device tree (device extents)";
            case 7 -> "the checksum tree";
            case 8 -> "the quota tree";
            case 9 -> "the UUID tree";
            case 10 -> "the free space tree";
            case 11 -> "the block group tree";
            case 12 -> "the RAID stripe tree";
            case -6, -7 -> "the log tree (fsync log)";
            case -8 -> "a relocation tree (balance)";
            case -9 -> "the data relocation tree (balance)";
            default -> root == 0 ? "a tree block whose tree the extent tree does not name"
                    : "tree " + Long.toUnsignedString(root);
        };
    }
}
