package io.daxguard.btrfs;

import io.daxguard.support.linux.NativeFile;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A subvolume's file items, read from its tree: the file extent item a reference names, and an inode's generation.
 * Remembers the generations it read; made per query.
 *
 * <pre>
 * struct btrfs_file_extent_item (53 bytes)    struct btrfs_inode_item (160 bytes)
 *   __le64 generation      0                    __le64 generation   0   (FS_IOC_GETVERSION: its low 32 bits)
 *   __le64 ram_bytes       8
 *   __u8 compression      16
 *   __u8 encryption       17
 *   __le16 other_encoding 18
 *   __u8 type             20   0 inline, 1 regular, 2 prealloc
 *   __le64 disk_bytenr    21
 *   __le64 disk_num_bytes 29
 *   __le64 offset         37   where the file's bytes start inside the extent
 *   __le64 num_bytes      45
 * </pre>
 */
final class FileExtents {
    static final int INODE_ITEM_KEY = 1;
    static final int EXTENT_DATA_KEY = 108;
    static final int FILE_EXTENT_COMPRESSION = 16;
    static final int FILE_EXTENT_TYPE = 20;
    static final int FILE_EXTENT_DISK_BYTENR = 21;
    static final int FILE_EXTENT_DISK_NUM_BYTES = 29;
    static final int FILE_EXTENT_OFFSET = 37;
    static final int FILE_EXTENT_NUM_BYTES = 45;
    static final int FILE_EXTENT_REG = 1;
    static final int FILE_EXTENT_PREALLOC = 2;
    static final int INODE_GENERATION = 0;

    /**
     * A file's use of a data extent: file bytes from {@code fileOffset} are logical bytes {@code [logical, logical +
     * length)}; for a compressed extent, the whole disk extent and the file range from its start.
     */
    record FileExtent(long fileOffset, long logical, long length, boolean compressed, boolean prealloc) {
        long end() {
            return logical + length;
        }
    }

    private final NativeFile filesystem;
    private final Map<List<Long>, Long> generations = new HashMap<>();

    FileExtents(NativeFile filesystem) {
        this.filesystem = filesystem;
    }

    /**
     * The file extent item of inode {@code inode} of subvolume {@code root} at file offset {@code keyOffset}, if it
     * still points into the disk extent at {@code diskLogical} of {@code diskLength} bytes.
     */
    Optional<FileExtent> of(long root, long inode, long keyOffset, long diskLogical, long diskLength)
            throws IOException {
        TreeSearch.Key key = new TreeSearch.Key(inode, EXTENT_DATA_KEY, keyOffset);
        List<TreeSearch.Item> items = itemsOfSubvolume(root, key, key);
        if (items.isEmpty()) {
            return Optional.empty();
        }
        TreeSearch.Item item = items.get(0);
        int type = item.u8(FILE_EXTENT_TYPE);
        if ((type != FILE_EXTENT_REG && type != FILE_EXTENT_PREALLOC) || item.u64(FILE_EXTENT_DISK_BYTENR) != diskLogical) {
            return Optional.empty();
        }
        boolean compressed = item.u8(FILE_EXTENT_COMPRESSION) != 0;
        boolean prealloc = type == FILE_EXTENT_PREALLOC;
        if (compressed) {
            return Optional.of(new FileExtent(keyOffset, diskLogical, diskLength, true, prealloc));
        }
        return Optional.of(new FileExtent(keyOffset, diskLogical + item.u64(FILE_EXTENT_OFFSET),
                item.u64(FILE_EXTENT_NUM_BYTES), false, prealloc));
    }

    /**
     * The logical address holding byte {@code fileOffset} of inode {@code inode} of subvolume {@code root}, and how
     * many bytes it spans (the sector; the whole disk extent when compressed); empty when no extent holds it.
     *
     * @return {logical, length}
     */
    Optional<long[]> logicalAt(long root, long inode, long fileOffset) throws IOException {
        // A file extent item covers at most 128 MiB of the file: the one holding the offset starts no earlier.
        List<TreeSearch.Item> items = itemsOfSubvolume(root,
                new TreeSearch.Key(inode, EXTENT_DATA_KEY, Math.max(0, fileOffset - ExtentTree.LONGEST_DATA_EXTENT)),
                new TreeSearch.Key(inode, EXTENT_DATA_KEY, fileOffset));
        if (items.isEmpty()) {
            return Optional.empty();
        }
        TreeSearch.Item item = items.get(items.size() - 1);
        int type = item.u8(FILE_EXTENT_TYPE);
        long disk = item.u64(FILE_EXTENT_DISK_BYTENR);
        long into = fileOffset - item.key().offset();
        if ((type != FILE_EXTENT_REG && type != FILE_EXTENT_PREALLOC) || disk == 0
                || into >= item.u64(FILE_EXTENT_NUM_BYTES)) {
            return Optional.empty(); // inline, a hole, or past the extent
        }
        if (item.u8(FILE_EXTENT_COMPRESSION) != 0) {
            return Optional.of(new long[] {disk, item.u64(FILE_EXTENT_DISK_NUM_BYTES)});
        }
        return Optional.of(new long[] {disk + item.u64(FILE_EXTENT_OFFSET) + into, 1});
    }

    /**
     * The generation {@code FS_IOC_GETVERSION} gives inode {@code inode} of subvolume {@code root}: the low 32 bits
     * of its inode item's generation; empty when the inode is gone.
     */
    Optional<Long> generation(long root, long inode) throws IOException {
        List<Long> id = List.of(root, inode);
        Long known = generations.get(id);
        if (known != null) {
            return Optional.of(known);
        }
        TreeSearch.Key key = new TreeSearch.Key(inode, INODE_ITEM_KEY, 0);
        List<TreeSearch.Item> items = itemsOfSubvolume(root, key, key);
        if (items.isEmpty()) {
            return Optional.empty();
        }
        long generation = items.get(0).u64(INODE_GENERATION) & 0xffff_ffffL;
        generations.put(id, generation);
        return Optional.of(generation);
    }

    /** The items of subvolume {@code root} between two keys; none when the subvolume is gone (deleted since). */
    private List<TreeSearch.Item> itemsOfSubvolume(long root, TreeSearch.Key min, TreeSearch.Key max)
            throws IOException {
        try {
            return TreeSearch.items(filesystem, root, min, max);
        } catch (io.daxguard.support.linux.NativeCallException e) {
            if (e.errno() == io.daxguard.support.linux.NativeCallException.ENOENT) {
                return List.of();
            }
            throw e;
        }
    }
}
