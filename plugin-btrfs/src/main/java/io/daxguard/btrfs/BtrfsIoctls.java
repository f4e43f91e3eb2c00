package io.daxguard.btrfs;

import com.sun.jna.Memory;
import io.daxguard.spi.LinuxPath;
import io.daxguard.support.linux.FilesystemUuid;
import io.daxguard.support.linux.NativeCallException;
import io.daxguard.support.linux.NativeFile;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The btrfs ioctls the plugin calls besides the tree search ({@link TreeSearch}), each wrapped once. Offsets are
 * those of {@code linux/btrfs.h}; {@code BtrfsLayoutTest} checks them against the C compiler.
 */
final class BtrfsIoctls {
    /** {@code _IOR(0x94, 31, struct btrfs_ioctl_fs_info_args)}, 1024 bytes. */
    static final long BTRFS_IOC_FS_INFO = 0x8400941fL;
    static final int FS_INFO_SIZE = 1024;
    static final int FS_INFO_MAX_ID = 0;
    static final int FS_INFO_NUM_DEVICES = 8;
    static final int FS_INFO_FSID = 16;
    static final int FS_INFO_NODESIZE = 32;
    static final int FS_INFO_SECTORSIZE = 36;

    /** {@code _IOWR(0x94, 30, struct btrfs_ioctl_dev_info_args)}, 4096 bytes. */
    static final long BTRFS_IOC_DEV_INFO = 0xd000941eL;
    static final int DEV_INFO_SIZE = 4096;
    static final int DEV_INFO_DEVID = 0;
    static final int DEV_INFO_BYTES_USED = 24;
    static final int DEV_INFO_TOTAL_BYTES = 32;
    static final int DEV_INFO_PATH = 3072;
    static final int DEVICE_PATH_NAME_MAX = 1024;

    /** {@code _IOWR(0x94, 59, struct btrfs_ioctl_logical_ino_args)}, 56 bytes. */
    static final long BTRFS_IOC_LOGICAL_INO_V2 = 0xc038943bL;
    static final int LOGICAL_INO_SIZE = 56;
    static final int LOGICAL_INO_LOGICAL = 0;
    static final int LOGICAL_INO_SIZE_FIELD = 8;
    static final int LOGICAL_INO_FLAGS = 40;
    static final int LOGICAL_INO_INODES = 48;
    /** Every reference to the extent, whatever part of it the reference uses. */
    static final long LOGICAL_INO_ARGS_IGNORE_OFFSET = 1;

    /** {@code _IOWR(0x94, 35, struct btrfs_ioctl_ino_path_args)}, 56 bytes. */
    static final long BTRFS_IOC_INO_PATHS = 0xc0389423L;
    static final int INO_PATHS_SIZE = 56;
    static final int INO_PATHS_INUM = 0;
    static final int INO_PATHS_SIZE_FIELD = 8;
    static final int INO_PATHS_FSPATH = 48;

    /** {@code _IOWR(0x94, 18, struct btrfs_ioctl_ino_lookup_args)}, 4096 bytes. */
    static final long BTRFS_IOC_INO_LOOKUP = 0xd0009412L;
    static final int INO_LOOKUP_SIZE = 4096;
    static final int INO_LOOKUP_TREEID = 0;
    static final int INO_LOOKUP_OBJECTID = 8;
    static final int INO_LOOKUP_NAME = 16;

    /** struct btrfs_data_container: a 16-byte header, then {@code __u64 val[]}. */
    static final int CONTAINER_BYTES_MISSING = 4;
    static final int CONTAINER_ELEM_CNT = 8;
    static final int CONTAINER_VAL = 16;

    /** The most a LOGICAL_INO_V2 answer may take (the kernel's limit, SZ_16M). */
    private static final int MOST_REFERENCES_BYTES = 16 << 20;

    /** What BTRFS_IOC_FS_INFO says. */
    record FsInfo(long maxId, long numDevices, byte[] fsid, int nodeSize, int sectorSize) {
        String uuid() {
            return FilesystemUuid.format(fsid);
        }
    }

    /** What BTRFS_IOC_DEV_INFO says of one device. */
    record DevInfo(long devid, long bytesUsed, long totalBytes, LinuxPath path) {
    }

    /** One reference LOGICAL_INO found: inode {@code inode} of subvolume {@code root} at file offset {@code offset}. */
    record Reference(long inode, long offset, long root) {
    }

    private BtrfsIoctls() {
    }

    static FsInfo fsInfo(NativeFile filesystem) throws NativeCallException {
        try (Memory args = new Memory(FS_INFO_SIZE)) {
            args.clear();
            filesystem.ioctl("BTRFS_IOC_FS_INFO", BTRFS_IOC_FS_INFO, args);
            return new FsInfo(args.getLong(FS_INFO_MAX_ID), args.getLong(FS_INFO_NUM_DEVICES),
                    args.getByteArray(FS_INFO_FSID, 16), args.getInt(FS_INFO_NODESIZE),
                    args.getInt(FS_INFO_SECTORSIZE));
        }
    }

    /**
     * The device with id {@code devid}; null when there is none (ids of removed devices are not reused, so the ids
     * up to {@link FsInfo#maxId} have gaps).
     */
    static DevInfo devInfo(NativeFile filesystem, long devid) throws NativeCallException {
        try (Memory args = new Memory(DEV_INFO_SIZE)) {
            args.clear();
            args.setLong(DEV_INFO_DEVID, devid);
            try {
                filesystem.ioctl("BTRFS_IOC_DEV_INFO(devid " + devid + ")", BTRFS_IOC_DEV_INFO, args);
            } catch (NativeCallException e) {
                if (e.errno() == 19 /* ENODEV */) {
                    return null;
                }
                throw e;
            }
            byte[] path = args.getByteArray(DEV_INFO_PATH, DEVICE_PATH_NAME_MAX);
            int end = 0;
            while (end < path.length && path[end] != 0) {
                end++;
            }
            return new DevInfo(args.getLong(DEV_INFO_DEVID), args.getLong(DEV_INFO_BYTES_USED),
                    args.getLong(DEV_INFO_TOTAL_BYTES), LinuxPath.of(Arrays.copyOf(path, end)));
        }
    }

    /**
     * {@code BTRFS_IOC_LOGICAL_INO_V2}: the file references of the data extent at {@code logical}; with
     * {@code ignoreOffset} every reference to the extent, each with the file offset of the start of its file extent
     * item; without, only those whose file extent covers {@code logical}, with the file offset of {@code logical}.
     */
    static List<Reference> logicalIno(NativeFile filesystem, long logical, boolean ignoreOffset)
            throws NativeCallException {
        int size = 64 * 1024;
        while (true) {
            try (Memory container = new Memory(size); Memory args = new Memory(LOGICAL_INO_SIZE)) {
                container.clear(CONTAINER_VAL);
                args.clear();
                args.setLong(LOGICAL_INO_LOGICAL, logical);
                args.setLong(LOGICAL_INO_SIZE_FIELD, size);
                args.setLong(LOGICAL_INO_FLAGS, ignoreOffset ? LOGICAL_INO_ARGS_IGNORE_OFFSET : 0);
                args.setPointer(LOGICAL_INO_INODES, container);
                try {
                    filesystem.ioctl("BTRFS_IOC_LOGICAL_INO_V2(logical " + logical + ")", BTRFS_IOC_LOGICAL_INO_V2,
                            args);
                } catch (NativeCallException e) {
                    if (e.errno() == NativeCallException.ENOENT) {
                        return List.of(); // no extent there (freed since it was found)
                    }
                    throw e;
                }
                int missing = container.getInt(CONTAINER_BYTES_MISSING);
                if (missing > 0 && size < MOST_REFERENCES_BYTES) {
                    size = (int) Math.min(MOST_REFERENCES_BYTES, (long) size + missing + 4096);
                    continue;
                }
                int values = container.getInt(CONTAINER_ELEM_CNT);
                List<Reference> references = new ArrayList<>(values / 3);
                for (int i = 0; i + 2 < values; i += 3) {
                    long at = CONTAINER_VAL + 8L * i;
                    references.add(new Reference(container.getLong(at), container.getLong(at + 8),
                            container.getLong(at + 16)));
                }
                return references;
            }
        }
    }

    /**
     * {@code BTRFS_IOC_INO_PATHS}: every name of inode {@code inode} in the subvolume {@code subvolumeDirectory} is
     * in, relative to that subvolume's root, as bytes.
     */
    static List<LinuxPath> inoPaths(NativeFile subvolumeDirectory, long inode) throws NativeCallException {
        int size = 16 * 1024;
        while (true) {
            try (Memory container = new Memory(size); Memory args = new Memory(INO_PATHS_SIZE)) {
                container.clear(CONTAINER_VAL);
                args.clear();
                args.setLong(INO_PATHS_INUM, inode);
                args.setLong(INO_PATHS_SIZE_FIELD, size);
                args.setPointer(INO_PATHS_FSPATH, container);
                subvolumeDirectory.ioctl("BTRFS_IOC_INO_PATHS(inode " + inode + ")", BTRFS_IOC_INO_PATHS, args);
                int missing = container.getInt(CONTAINER_BYTES_MISSING);
                if (missing > 0 && size < MOST_REFERENCES_BYTES) {
                    size = (int) Math.min(MOST_REFERENCES_BYTES, (long) size + missing + 4096);
                    continue;
                }
                int count = container.getInt(CONTAINER_ELEM_CNT);
                List<LinuxPath> paths = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    // Each value is the offset of a NUL-terminated path from the start of val[].
                    long start = CONTAINER_VAL + container.getLong(CONTAINER_VAL + 8L * i);
                    long end = start;
                    while (end < size && container.getByte(end) != 0) {
                        end++;
                    }
                    paths.add(LinuxPath.of(container.getByteArray(start, (int) (end - start))));
                }
                return paths;
            }
        }
    }

    /**
     * {@code BTRFS_IOC_INO_LOOKUP}: the path of directory {@code objectid} inside subvolume {@code treeId},
     * relative to the subvolume's root, ending with {@code /}; empty for the subvolume's root directory.
     */
    static byte[] inoLookup(NativeFile filesystem, long treeId, long objectid) throws NativeCallException {
        try (Memory args = new Memory(INO_LOOKUP_SIZE)) {
            args.clear();
            args.setLong(INO_LOOKUP_TREEID, treeId);
            args.setLong(INO_LOOKUP_OBJECTID, objectid);
            filesystem.ioctl("BTRFS_IOC_INO_LOOKUP(tree " + treeId + ", inode " + objectid + ")",
                    BTRFS_IOC_INO_LOOKUP, args);
            byte[] name = args.getByteArray(INO_LOOKUP_NAME, INO_LOOKUP_SIZE - INO_LOOKUP_NAME);
            int end = 0;
            while (end < name.length && name[end] != 0) {
                end++;
            }
            return Arrays.copyOf(name, end);
        }
    }

    /** {@code BTRFS_IOC_INO_LOOKUP} with tree 0: the id of the subvolume the descriptor is in. */
    static long inoLookupTree(NativeFile file) throws NativeCallException {
        try (Memory args = new Memory(INO_LOOKUP_SIZE)) {
            args.clear();
            args.setLong(INO_LOOKUP_OBJECTID, 256);
            file.ioctl("BTRFS_IOC_INO_LOOKUP(tree 0)", BTRFS_IOC_INO_LOOKUP, args);
            return args.getLong(INO_LOOKUP_TREEID);
        }
    }
}
