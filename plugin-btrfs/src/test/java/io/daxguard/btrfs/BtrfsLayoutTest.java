package io.daxguard.btrfs;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.testkit.CLayoutProbe;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The ioctl numbers, structure offsets and on-disk item offsets the plugin decodes with equal what the C compiler
 * makes of {@code linux/btrfs.h} and {@code linux/btrfs_tree.h}; one test per structure, so a failure names the
 * wrong constant.
 */
class BtrfsLayoutTest {
    private static Map<String, Long> c;

    @BeforeAll
    static void askTheCompiler() throws IOException {
        c = CLayoutProbe.including("<linux/types.h>", "<sys/ioctl.h>", "<linux/btrfs.h>", "<linux/btrfs_tree.h>",
                        "<linux/magic.h>")
                .value("BTRFS_IOC_TREE_SEARCH_V2", "BTRFS_IOC_TREE_SEARCH_V2")
                .sizeOf("btrfs_ioctl_search_args_v2")
                .offsetOf("btrfs_ioctl_search_args_v2", "key", "buf_size", "buf")
                .sizeOf("btrfs_ioctl_search_key")
                .offsetOf("btrfs_ioctl_search_key", "tree_id", "min_objectid", "max_objectid", "min_offset",
                        "max_offset", "min_transid", "max_transid", "min_type", "max_type", "nr_items")
                .sizeOf("btrfs_ioctl_search_header")
                .offsetOf("btrfs_ioctl_search_header", "objectid", "offset", "type", "len")
                .value("BTRFS_IOC_FS_INFO", "BTRFS_IOC_FS_INFO")
                .sizeOf("btrfs_ioctl_fs_info_args")
                .offsetOf("btrfs_ioctl_fs_info_args", "max_id", "num_devices", "fsid", "nodesize", "sectorsize")
                .value("BTRFS_IOC_DEV_INFO", "BTRFS_IOC_DEV_INFO")
                .sizeOf("btrfs_ioctl_dev_info_args")
                .offsetOf("btrfs_ioctl_dev_info_args", "devid", "bytes_used", "total_bytes", "path")
                .value("BTRFS_DEVICE_PATH_NAME_MAX", "BTRFS_DEVICE_PATH_NAME_MAX")
                .value("BTRFS_IOC_LOGICAL_INO_V2", "BTRFS_IOC_LOGICAL_INO_V2")
                .value("BTRFS_LOGICAL_INO_ARGS_IGNORE_OFFSET", "BTRFS_LOGICAL_INO_ARGS_IGNORE_OFFSET")
                .sizeOf("btrfs_ioctl_logical_ino_args")
                .offsetOf("btrfs_ioctl_logical_ino_args", "logical", "size", "flags", "inodes")
                .value("BTRFS_IOC_INO_PATHS", "BTRFS_IOC_INO_PATHS")
                .sizeOf("btrfs_ioctl_ino_path_args")
                .offsetOf("btrfs_ioctl_ino_path_args", "inum", "size", "fspath")
                .offsetOf("btrfs_data_container", "bytes_missing", "elem_cnt", "val")
                .value("BTRFS_IOC_INO_LOOKUP", "BTRFS_IOC_INO_LOOKUP")
                .sizeOf("btrfs_ioctl_ino_lookup_args")
                .offsetOf("btrfs_ioctl_ino_lookup_args", "treeid", "objectid", "name")
                .value("BTRFS_IOC_SCRUB", "BTRFS_IOC_SCRUB")
                .sizeOf("btrfs_ioctl_scrub_args")
                .offsetOf("btrfs_ioctl_scrub_args", "devid", "start", "end", "flags", "progress")
                .value("BTRFS_SCRUB_READONLY", "BTRFS_SCRUB_READONLY")
                .offsetOf("btrfs_scrub_progress", "data_bytes_scrubbed", "tree_bytes_scrubbed", "read_errors",
                        "csum_errors", "verify_errors", "super_errors", "uncorrectable_errors", "corrected_errors",
                        "unverified_errors")
                .value("BTRFS_DEV_EXTENT_KEY", "BTRFS_DEV_EXTENT_KEY")
                .value("BTRFS_CHUNK_ITEM_KEY", "BTRFS_CHUNK_ITEM_KEY")
                .value("BTRFS_FIRST_CHUNK_TREE_OBJECTID", "BTRFS_FIRST_CHUNK_TREE_OBJECTID")
                .value("BTRFS_CHUNK_TREE_OBJECTID", "BTRFS_CHUNK_TREE_OBJECTID")
                .value("BTRFS_DEV_TREE_OBJECTID", "BTRFS_DEV_TREE_OBJECTID")
                .value("BTRFS_EXTENT_TREE_OBJECTID", "BTRFS_EXTENT_TREE_OBJECTID")
                .value("BTRFS_ROOT_TREE_OBJECTID", "BTRFS_ROOT_TREE_OBJECTID")
                .value("BTRFS_FS_TREE_OBJECTID", "BTRFS_FS_TREE_OBJECTID")
                .value("BTRFS_EXTENT_ITEM_KEY", "BTRFS_EXTENT_ITEM_KEY")
                .value("BTRFS_METADATA_ITEM_KEY", "BTRFS_METADATA_ITEM_KEY")
                .value("BTRFS_TREE_BLOCK_REF_KEY", "BTRFS_TREE_BLOCK_REF_KEY")
                .value("BTRFS_SHARED_BLOCK_REF_KEY", "BTRFS_SHARED_BLOCK_REF_KEY")
                .value("BTRFS_EXTENT_FLAG_TREE_BLOCK", "BTRFS_EXTENT_FLAG_TREE_BLOCK")
                .value("BTRFS_INODE_ITEM_KEY", "BTRFS_INODE_ITEM_KEY")
                .value("BTRFS_EXTENT_DATA_KEY", "BTRFS_EXTENT_DATA_KEY")
                .value("BTRFS_ROOT_BACKREF_KEY", "BTRFS_ROOT_BACKREF_KEY")
                .value("BTRFS_FILE_EXTENT_REG", "BTRFS_FILE_EXTENT_REG")
                .value("BTRFS_FILE_EXTENT_PREALLOC", "BTRFS_FILE_EXTENT_PREALLOC")
                .value("BTRFS_BLOCK_GROUP_DATA", "BTRFS_BLOCK_GROUP_DATA")
                .value("BTRFS_BLOCK_GROUP_SYSTEM", "BTRFS_BLOCK_GROUP_SYSTEM")
                .value("BTRFS_BLOCK_GROUP_METADATA", "BTRFS_BLOCK_GROUP_METADATA")
                .value("BTRFS_BLOCK_GROUP_RAID0", "BTRFS_BLOCK_GROUP_RAID0")
                .value("BTRFS_BLOCK_GROUP_RAID1", "BTRFS_BLOCK_GROUP_RAID1")
                .value("BTRFS_BLOCK_GROUP_DUP", "BTRFS_BLOCK_GROUP_DUP")
                .value("BTRFS_BLOCK_GROUP_RAID10", "BTRFS_BLOCK_GROUP_RAID10")
                .value("BTRFS_BLOCK_GROUP_RAID5", "BTRFS_BLOCK_GROUP_RAID5")
                .value("BTRFS_BLOCK_GROUP_RAID6", "BTRFS_BLOCK_GROUP_RAID6")
                .value("BTRFS_BLOCK_GROUP_RAID1C3", "BTRFS_BLOCK_GROUP_RAID1C3")
                .value("BTRFS_BLOCK_GROUP_RAID1C4", "BTRFS_BLOCK_GROUP_RAID1C4")
                .value("BTRFS_SUPER_MAGIC", "BTRFS_SUPER_MAGIC")
                .sizeOf("btrfs_dev_extent")
                .offsetOf("btrfs_dev_extent", "chunk_offset", "length")
                .sizeOf("btrfs_chunk").sizeOf("btrfs_stripe")
                .offsetOf("btrfs_chunk", "length", "stripe_len", "type", "num_stripes", "sub_stripes", "stripe")
                .offsetOf("btrfs_stripe", "devid", "offset")
                .sizeOf("btrfs_extent_item").sizeOf("btrfs_tree_block_info").sizeOf("btrfs_extent_inline_ref")
                .offsetOf("btrfs_extent_item", "refs", "flags")
                .sizeOf("btrfs_file_extent_item")
                .offsetOf("btrfs_file_extent_item", "compression", "type", "disk_bytenr", "offset", "num_bytes")
                .offsetOf("btrfs_inode_item", "generation")
                .sizeOf("btrfs_root_ref")
                .offsetOf("btrfs_root_ref", "dirid", "name_len")
                .run();
    }

    @Test
    void treeSearchMatchesBtrfsH() {
        assertThat(java(
                "BTRFS_IOC_TREE_SEARCH_V2", TreeSearch.BTRFS_IOC_TREE_SEARCH_V2,
                "sizeof btrfs_ioctl_search_args_v2", TreeSearch.ARGS_SIZE,
                "btrfs_ioctl_search_args_v2.key", 0,
                "btrfs_ioctl_search_args_v2.buf_size", TreeSearch.OFFSET_BUF_SIZE,
                "btrfs_ioctl_search_args_v2.buf", TreeSearch.ARGS_SIZE,
                "sizeof btrfs_ioctl_search_key", TreeSearch.OFFSET_BUF_SIZE,
                "btrfs_ioctl_search_key.tree_id", TreeSearch.KEY_TREE_ID,
                "btrfs_ioctl_search_key.min_objectid", TreeSearch.KEY_MIN_OBJECTID,
                "btrfs_ioctl_search_key.max_objectid", TreeSearch.KEY_MAX_OBJECTID,
                "btrfs_ioctl_search_key.min_offset", TreeSearch.KEY_MIN_OFFSET,
                "btrfs_ioctl_search_key.max_offset", TreeSearch.KEY_MAX_OFFSET,
                "btrfs_ioctl_search_key.min_transid", TreeSearch.KEY_MIN_TRANSID,
                "btrfs_ioctl_search_key.max_transid", TreeSearch.KEY_MAX_TRANSID,
                "btrfs_ioctl_search_key.min_type", TreeSearch.KEY_MIN_TYPE,
                "btrfs_ioctl_search_key.max_type", TreeSearch.KEY_MAX_TYPE,
                "btrfs_ioctl_search_key.nr_items", TreeSearch.KEY_NR_ITEMS,
                "sizeof btrfs_ioctl_search_header", TreeSearch.HEADER_SIZE,
                "btrfs_ioctl_search_header.objectid", TreeSearch.HEADER_OBJECTID,
                "btrfs_ioctl_search_header.offset", TreeSearch.HEADER_OFFSET,
                "btrfs_ioctl_search_header.type", TreeSearch.HEADER_TYPE,
                "btrfs_ioctl_search_header.len", TreeSearch.HEADER_LEN))
                .isEqualTo(fromC("BTRFS_IOC_TREE_SEARCH_V2", "sizeof btrfs_ioctl_search_args_v2",
                        "btrfs_ioctl_search_args_v2.", "sizeof btrfs_ioctl_search_key", "btrfs_ioctl_search_key.",
                        "sizeof btrfs_ioctl_search_header", "btrfs_ioctl_search_header."));
    }

    @Test
    void deviceAndFilesystemInfoMatchBtrfsH() {
        assertThat(java(
                "BTRFS_IOC_FS_INFO", BtrfsIoctls.BTRFS_IOC_FS_INFO,
                "sizeof btrfs_ioctl_fs_info_args", BtrfsIoctls.FS_INFO_SIZE,
                "btrfs_ioctl_fs_info_args.max_id", BtrfsIoctls.FS_INFO_MAX_ID,
                "btrfs_ioctl_fs_info_args.num_devices", BtrfsIoctls.FS_INFO_NUM_DEVICES,
                "btrfs_ioctl_fs_info_args.fsid", BtrfsIoctls.FS_INFO_FSID,
                "btrfs_ioctl_fs_info_args.nodesize", BtrfsIoctls.FS_INFO_NODESIZE,
                "btrfs_ioctl_fs_info_args.sectorsize", BtrfsIoctls.FS_INFO_SECTORSIZE,
                "BTRFS_IOC_DEV_INFO", BtrfsIoctls.BTRFS_IOC_DEV_INFO,
                "sizeof btrfs_ioctl_dev_info_args", BtrfsIoctls.DEV_INFO_SIZE,
                "btrfs_ioctl_dev_info_args.devid", BtrfsIoctls.DEV_INFO_DEVID,
                "btrfs_ioctl_dev_info_args.bytes_used", BtrfsIoctls.DEV_INFO_BYTES_USED,
                "btrfs_ioctl_dev_info_args.total_bytes", BtrfsIoctls.DEV_INFO_TOTAL_BYTES,
                "btrfs_ioctl_dev_info_args.path", BtrfsIoctls.DEV_INFO_PATH,
                "BTRFS_DEVICE_PATH_NAME_MAX", BtrfsIoctls.DEVICE_PATH_NAME_MAX))
                .isEqualTo(fromC("BTRFS_IOC_FS_INFO", "sizeof btrfs_ioctl_fs_info_args", "btrfs_ioctl_fs_info_args.",
                        "BTRFS_IOC_DEV_INFO", "sizeof btrfs_ioctl_dev_info_args", "btrfs_ioctl_dev_info_args.",
                        "BTRFS_DEVICE_PATH_NAME_MAX"));
    }

    @Test
    void backreferenceAndPathLookupsMatchBtrfsH() {
        assertThat(java(
                "BTRFS_IOC_LOGICAL_INO_V2", BtrfsIoctls.BTRFS_IOC_LOGICAL_INO_V2,
                "BTRFS_LOGICAL_INO_ARGS_IGNORE_OFFSET", BtrfsIoctls.LOGICAL_INO_ARGS_IGNORE_OFFSET,
                "sizeof btrfs_ioctl_logical_ino_args", BtrfsIoctls.LOGICAL_INO_SIZE,
                "btrfs_ioctl_logical_ino_args.logical", BtrfsIoctls.LOGICAL_INO_LOGICAL,
                "btrfs_ioctl_logical_ino_args.size", BtrfsIoctls.LOGICAL_INO_SIZE_FIELD,
                "btrfs_ioctl_logical_ino_args.flags", BtrfsIoctls.LOGICAL_INO_FLAGS,
                "btrfs_ioctl_logical_ino_args.inodes", BtrfsIoctls.LOGICAL_INO_INODES,
                "BTRFS_IOC_INO_PATHS", BtrfsIoctls.BTRFS_IOC_INO_PATHS,
                "sizeof btrfs_ioctl_ino_path_args", BtrfsIoctls.INO_PATHS_SIZE,
                "btrfs_ioctl_ino_path_args.inum", BtrfsIoctls.INO_PATHS_INUM,
                "btrfs_ioctl_ino_path_args.size", BtrfsIoctls.INO_PATHS_SIZE_FIELD,
                "btrfs_ioctl_ino_path_args.fspath", BtrfsIoctls.INO_PATHS_FSPATH,
                "btrfs_data_container.bytes_missing", BtrfsIoctls.CONTAINER_BYTES_MISSING,
                "btrfs_data_container.elem_cnt", BtrfsIoctls.CONTAINER_ELEM_CNT,
                "btrfs_data_container.val", BtrfsIoctls.CONTAINER_VAL,
                "BTRFS_IOC_INO_LOOKUP", BtrfsIoctls.BTRFS_IOC_INO_LOOKUP,
                "sizeof btrfs_ioctl_ino_lookup_args", BtrfsIoctls.INO_LOOKUP_SIZE,
                "btrfs_ioctl_ino_lookup_args.treeid", BtrfsIoctls.INO_LOOKUP_TREEID,
                "btrfs_ioctl_ino_lookup_args.objectid", BtrfsIoctls.INO_LOOKUP_OBJECTID,
                "btrfs_ioctl_ino_lookup_args.name", BtrfsIoctls.INO_LOOKUP_NAME))
                .isEqualTo(fromC("BTRFS_IOC_LOGICAL_INO_V2", "BTRFS_LOGICAL_INO_ARGS_IGNORE_OFFSET",
                        "sizeof btrfs_ioctl_logical_ino_args", "btrfs_ioctl_logical_ino_args.", "BTRFS_IOC_INO_PATHS",
                        "sizeof btrfs_ioctl_ino_path_args", "btrfs_ioctl_ino_path_args.", "btrfs_data_container.",
                        "BTRFS_IOC_INO_LOOKUP", "sizeof btrfs_ioctl_ino_lookup_args", "btrfs_ioctl_ino_lookup_args."));
    }

    @Test
    void scrubMatchesBtrfsH() {
        assertThat(java(
                "BTRFS_IOC_SCRUB", Scrub.BTRFS_IOC_SCRUB,
                "sizeof btrfs_ioctl_scrub_args", Scrub.ARGS_SIZE,
                "btrfs_ioctl_scrub_args.devid", Scrub.DEVID,
                "btrfs_ioctl_scrub_args.start", Scrub.START,
                "btrfs_ioctl_scrub_args.end", Scrub.END,
                "btrfs_ioctl_scrub_args.flags", Scrub.FLAGS,
                "btrfs_ioctl_scrub_args.progress", Scrub.PROGRESS,
                "BTRFS_SCRUB_READONLY", Scrub.READONLY,
                "btrfs_scrub_progress.data_bytes_scrubbed", Scrub.DATA_BYTES_SCRUBBED,
                "btrfs_scrub_progress.tree_bytes_scrubbed", Scrub.TREE_BYTES_SCRUBBED,
                "btrfs_scrub_progress.read_errors", Scrub.READ_ERRORS,
                "btrfs_scrub_progress.csum_errors", Scrub.CSUM_ERRORS,
                "btrfs_scrub_progress.verify_errors", Scrub.VERIFY_ERRORS,
                "btrfs_scrub_progress.super_errors", Scrub.SUPER_ERRORS,
                "btrfs_scrub_progress.uncorrectable_errors", Scrub.UNCORRECTABLE_ERRORS,
                "btrfs_scrub_progress.corrected_errors", Scrub.CORRECTED_ERRORS,
                "btrfs_scrub_progress.unverified_errors", Scrub.UNVERIFIED_ERRORS))
                .isEqualTo(fromC("BTRFS_IOC_SCRUB", "sizeof btrfs_ioctl_scrub_args", "btrfs_ioctl_scrub_args.",
                        "BTRFS_SCRUB_READONLY", "btrfs_scrub_progress."));
    }

    @Test
    void treeKeysAndObjectIdsMatchBtrfsTreeH() {
        assertThat(java(
                "BTRFS_DEV_EXTENT_KEY", DeviceMap.DEV_EXTENT_KEY,
                "BTRFS_CHUNK_ITEM_KEY", DeviceMap.CHUNK_ITEM_KEY,
                "BTRFS_FIRST_CHUNK_TREE_OBJECTID", DeviceMap.FIRST_CHUNK_TREE_OBJECTID,
                "BTRFS_CHUNK_TREE_OBJECTID", DeviceMap.CHUNK_TREE,
                "BTRFS_DEV_TREE_OBJECTID", DeviceMap.DEV_TREE,
                "BTRFS_EXTENT_TREE_OBJECTID", ExtentTree.EXTENT_TREE,
                "BTRFS_ROOT_TREE_OBJECTID", Trees.ROOT_TREE,
                "BTRFS_FS_TREE_OBJECTID", Trees.FS_TREE,
                "BTRFS_EXTENT_ITEM_KEY", ExtentTree.EXTENT_ITEM_KEY,
                "BTRFS_METADATA_ITEM_KEY", ExtentTree.METADATA_ITEM_KEY,
                "BTRFS_TREE_BLOCK_REF_KEY", ExtentTree.TREE_BLOCK_REF_KEY,
                "BTRFS_SHARED_BLOCK_REF_KEY", ExtentTree.SHARED_BLOCK_REF_KEY,
                "BTRFS_EXTENT_FLAG_TREE_BLOCK", ExtentTree.EXTENT_FLAG_TREE_BLOCK,
                "BTRFS_INODE_ITEM_KEY", FileExtents.INODE_ITEM_KEY,
                "BTRFS_EXTENT_DATA_KEY", FileExtents.EXTENT_DATA_KEY,
                "BTRFS_ROOT_BACKREF_KEY", SubvolumePaths.ROOT_BACKREF_KEY,
                "BTRFS_FILE_EXTENT_REG", FileExtents.FILE_EXTENT_REG,
                "BTRFS_FILE_EXTENT_PREALLOC", FileExtents.FILE_EXTENT_PREALLOC,
                "BTRFS_SUPER_MAGIC", BtrfsHolder.BTRFS_SUPER_MAGIC))
                .isEqualTo(fromC("BTRFS_DEV_EXTENT_KEY", "BTRFS_CHUNK_ITEM_KEY", "BTRFS_FIRST_CHUNK_TREE_OBJECTID",
                        "BTRFS_CHUNK_TREE_OBJECTID", "BTRFS_DEV_TREE_OBJECTID", "BTRFS_EXTENT_TREE_OBJECTID",
                        "BTRFS_ROOT_TREE_OBJECTID", "BTRFS_FS_TREE_OBJECTID", "BTRFS_EXTENT_ITEM_KEY",
                        "BTRFS_METADATA_ITEM_KEY", "BTRFS_TREE_BLOCK_REF_KEY", "BTRFS_SHARED_BLOCK_REF_KEY",
                        "BTRFS_EXTENT_FLAG_TREE_BLOCK", "BTRFS_INODE_ITEM_KEY", "BTRFS_EXTENT_DATA_KEY",
                        "BTRFS_ROOT_BACKREF_KEY", "BTRFS_FILE_EXTENT_REG", "BTRFS_FILE_EXTENT_PREALLOC",
                        "BTRFS_SUPER_MAGIC"));
    }

    @Test
    void profileBitsMatchBtrfsTreeH() {
        assertThat(java(
                "BTRFS_BLOCK_GROUP_DATA", Chunk.BLOCK_GROUP_DATA,
                "BTRFS_BLOCK_GROUP_SYSTEM", Chunk.BLOCK_GROUP_SYSTEM,
                "BTRFS_BLOCK_GROUP_METADATA", Chunk.BLOCK_GROUP_METADATA,
                "BTRFS_BLOCK_GROUP_RAID0", Profile.RAID0.bit(),
                "BTRFS_BLOCK_GROUP_RAID1", Profile.RAID1.bit(),
                "BTRFS_BLOCK_GROUP_DUP", Profile.DUP.bit(),
                "BTRFS_BLOCK_GROUP_RAID10", Profile.RAID10.bit(),
                "BTRFS_BLOCK_GROUP_RAID5", Profile.RAID5.bit(),
                "BTRFS_BLOCK_GROUP_RAID6", Profile.RAID6.bit(),
                "BTRFS_BLOCK_GROUP_RAID1C3", Profile.RAID1C3.bit(),
                "BTRFS_BLOCK_GROUP_RAID1C4", Profile.RAID1C4.bit()))
                .isEqualTo(fromC("BTRFS_BLOCK_GROUP_"));
    }

    @Test
    void onDiskItemsMatchBtrfsTreeH() {
        assertThat(java(
                "sizeof btrfs_dev_extent", 48,
                "btrfs_dev_extent.chunk_offset", DeviceMap.DEV_EXTENT_CHUNK_OFFSET,
                "btrfs_dev_extent.length", DeviceMap.DEV_EXTENT_LENGTH,
                "sizeof btrfs_chunk", Chunk.STRIPES + Chunk.STRIPE_SIZE,
                "sizeof btrfs_stripe", Chunk.STRIPE_SIZE,
                "btrfs_chunk.length", Chunk.LENGTH,
                "btrfs_chunk.stripe_len", Chunk.STRIPE_LEN,
                "btrfs_chunk.type", Chunk.TYPE,
                "btrfs_chunk.num_stripes", Chunk.NUM_STRIPES,
                "btrfs_chunk.sub_stripes", Chunk.SUB_STRIPES,
                "btrfs_chunk.stripe", Chunk.STRIPES,
                "btrfs_stripe.devid", Chunk.STRIPE_DEVID,
                "btrfs_stripe.offset", Chunk.STRIPE_OFFSET,
                "sizeof btrfs_extent_item", ExtentTree.EXTENT_ITEM_SIZE,
                "sizeof btrfs_tree_block_info", ExtentTree.TREE_BLOCK_INFO_SIZE,
                "sizeof btrfs_extent_inline_ref", 9,
                "btrfs_extent_item.refs", ExtentTree.EXTENT_ITEM_REFS,
                "btrfs_extent_item.flags", ExtentTree.EXTENT_ITEM_FLAGS,
                "sizeof btrfs_file_extent_item", 53,
                "btrfs_file_extent_item.compression", FileExtents.FILE_EXTENT_COMPRESSION,
                "btrfs_file_extent_item.type", FileExtents.FILE_EXTENT_TYPE,
                "btrfs_file_extent_item.disk_bytenr", FileExtents.FILE_EXTENT_DISK_BYTENR,
                "btrfs_file_extent_item.offset", FileExtents.FILE_EXTENT_OFFSET,
                "btrfs_file_extent_item.num_bytes", FileExtents.FILE_EXTENT_NUM_BYTES,
                "btrfs_inode_item.generation", FileExtents.INODE_GENERATION,
                "sizeof btrfs_root_ref", SubvolumePaths.ROOT_REF_NAME,
                "btrfs_root_ref.dirid", SubvolumePaths.ROOT_REF_DIRID,
                "btrfs_root_ref.name_len", SubvolumePaths.ROOT_REF_NAME_LEN))
                .isEqualTo(fromC("sizeof btrfs_dev_extent", "btrfs_dev_extent.", "sizeof btrfs_chunk",
                        "sizeof btrfs_stripe", "btrfs_chunk.", "btrfs_stripe.", "sizeof btrfs_extent_item",
                        "sizeof btrfs_tree_block_info", "sizeof btrfs_extent_inline_ref", "btrfs_extent_item.",
                        "sizeof btrfs_file_extent_item", "btrfs_file_extent_item.", "btrfs_inode_item.",
                        "sizeof btrfs_root_ref", "btrfs_root_ref."));
    }

    private static Map<String, Long> java(Object... namesAndValues) {
        return CLayoutProbe.javaValues(namesAndValues);
    }

    /** The C values whose names equal or start with one of {@code prefixes}. */
    private static Map<String, Long> fromC(String... prefixes) {
        Map<String, Long> values = new LinkedHashMap<>();
        c.forEach((name, value) -> {
            for (String prefix : prefixes) {
                if (name.equals(prefix) || (prefix.endsWith(".") || prefix.endsWith("_")) && name.startsWith(prefix)) {
                    values.put(name, value);
                    return;
                }
            }
        });
        return values;
    }
}
