package io.daxguard.ext4;

import io.daxguard.spi.AttachRefusedException;
import io.daxguard.spi.FilesystemInfo;
import io.daxguard.spi.FilesystemPlugin;
import io.daxguard.spi.Holder;
import io.daxguard.spi.Mount;
import io.daxguard.spi.PluginContext;
import io.daxguard.spi.SpiVersion;
import io.daxguard.support.index.ExtraExtentSource;
import io.daxguard.support.index.InodeScanner;
import io.daxguard.support.index.IndexOptions;
import io.daxguard.support.index.LiveReverseMap;
import io.daxguard.support.index.SavedIndexFile;
import io.daxguard.support.linux.FileStatus;
import io.daxguard.support.linux.FilesystemStats;
import io.daxguard.support.linux.FilesystemUuid;
import io.daxguard.support.linux.Getfsmap;
import io.daxguard.support.linux.NativeCallException;
import io.daxguard.support.linux.NativeFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * ext4: GETFSMAP for metadata and free space, a {@link LiveReverseMap} for file owners (ext4 keeps no
 * reverse map). Needs Linux 4.12+ (GETFSMAP on ext4) and read access to the block device for the journal's
 * location and the blocks FIEMAP does not show; without the device it still works, reporting those as unknown.
 */
public final class Ext4Plugin implements FilesystemPlugin {
    /**
     * Setting {@code plugins.ext4.indexSource}: where the index build takes files and extents from,
     * {@value #INODE_TABLES} (default; one pass over the inode tables) or {@value #FIEMAP} (open and FIEMAP
     * every file; slower, needs no access to the device).
     */
    public static final String INDEX_SOURCE = "indexSource";
    public static final String INODE_TABLES = "inode-tables";
    public static final String FIEMAP = "fiemap";
    private static final long RESIZE_INODE = 7;

    @Override
    public String type() {
        return "ext4";
    }

    @Override
    public int spiVersion() {
        return SpiVersion.CURRENT;
    }

    @Override
    public Holder attach(Mount mount, PluginContext context) throws IOException {
        System.Logger logger = context.logger();
        if (!mount.fsType().equals("ext4")) {
            throw new AttachRefusedException(mount.mountPoint(), "filesystem type is " + mount.fsType() + ", not ext4");
        }
        if (!mount.showsWholeFilesystem()) {
            throw new AttachRefusedException(mount.mountPoint(), "this mount shows only " + mount.root()
                    + " of the filesystem; attach a mount of its root so the index sees every file");
        }
        NativeFile mountPoint = NativeFile.openDirectory(mount.mountPoint());
        Ext4Device device = new Ext4Device(mount);
        try {
            FilesystemStats stats = FilesystemStats.of(mountPoint);
            if (stats.magic() != FilesystemStats.EXT4_MAGIC) {
                throw new AttachRefusedException(mount.mountPoint(), "not an ext4 filesystem (magic 0x"
                        + Long.toHexString(stats.magic()) + ")");
            }
            int cookie = mount.device().encoded();
            probeGetfsmap(mount, mountPoint, cookie, (int) stats.blockSize());
            Ext4Geometry geometry = null;
            String deviceProblem = "";
            try (NativeFile open = device.open()) {
                geometry = Ext4Geometry.read(open);
            } catch (IOException | IllegalArgumentException e) {
                deviceProblem = e.getMessage();
                logger.log(System.Logger.Level.WARNING, "cannot read the superblock of " + mount.source() + " ("
                        + e.getMessage() + "): the journal and extent-tree blocks of " + mount.mountPoint()
                        + " will be reported as unknown");
            }
            long size = geometry != null ? geometry.blocksCount * geometry.blockSize
                    : stats.blocks() * stats.blockSize();
            String uuid = uuid(mount, mountPoint, geometry, deviceProblem);
            ExtraExtentSource extras = geometry == null ? ExtraExtentSource.NONE
                    : new Ext4ExtraExtents(device, geometry);
            if (geometry != null && geometry.metaBlockGroups) {
                logger.log(System.Logger.Level.WARNING, mount.mountPoint() + " uses meta_bg: extent-tree and hidden "
                        + "xattr blocks will be reported as unknown");
            }
            List<Ext4Holder.HiddenMetadata> hidden = hiddenMetadata(geometry, device, logger);
            // The inode-table scan is faster than FIEMAP per file; without the device, FIEMAP it is.
            String source = context.settings().getOrDefault(INDEX_SOURCE, INODE_TABLES);
            if (!source.equals(INODE_TABLES) && !source.equals(FIEMAP)) {
                throw new AttachRefusedException(mount.mountPoint(), "setting plugins.ext4." + INDEX_SOURCE
                        + " must be " + INODE_TABLES + " or " + FIEMAP + ", was \"" + source + "\"");
            }
            InodeScanner scanner = geometry == null || geometry.metaBlockGroups || source.equals(FIEMAP) ? null
                    : new Ext4InodeScanner(device, geometry);
            FilesystemInfo info = new FilesystemInfo(uuid, (int) stats.blockSize(), size,
                    scanner == null ? "index:" + FIEMAP : "index:" + INODE_TABLES);
            // Saved after every build, so the next start is ready at once from it while a build catches up.
            IndexOptions options = IndexOptions.defaults().withExtras(extras).withScanner(scanner)
                    .withSavedIndex(SavedIndexFile.of(context, uuid, mount.device()));
            LiveReverseMap reverseMap = LiveReverseMap.start(mount.mountPoint(), options, logger, progress -> {
            });
            mountPoint.close();
            return new Ext4Holder(mount, info, cookie, hidden, reverseMap);
        } catch (IOException | RuntimeException e) {
            mountPoint.close();
            throw e;
        }
    }

    /**
     * The journal's and the resize inode's blocks, read from inodes 8 and 7 (any layout: extents, deeper
     * trees, block maps); the superblock's copy of the journal's extents if inode 8 cannot be read; the boot block
     * of a filesystem of 1 KiB blocks.
     */
    private static List<Ext4Holder.HiddenMetadata> hiddenMetadata(Ext4Geometry geometry, Ext4Device device,
                                                                  System.Logger logger) {
        List<Ext4Holder.HiddenMetadata> hidden = new ArrayList<>();
        if (geometry == null) {
            return hidden;
        }
        if (geometry.firstDataBlock == 1) {
            hidden.add(new Ext4Holder.HiddenMetadata(Ext4MetadataKind.BOOT_BLOCK, 0, 1024));
        }
        Ext4InodeScanner inodes = new Ext4InodeScanner(device, geometry);
        List<long[]> journal = geometry.journal;
        if (geometry.journalInode != 0 && !geometry.metaBlockGroups) {
            try {
                journal = inodes.blocksOf(geometry.journalInode);
            } catch (IOException | RuntimeException e) {
                logger.log(System.Logger.Level.WARNING, "cannot read the journal inode: " + e.getMessage());
            }
        }
        journal.forEach(extent -> hidden.add(new Ext4Holder.HiddenMetadata(Ext4MetadataKind.JOURNAL, extent[0],
                extent[1])));
        if (!geometry.metaBlockGroups) {
            try {
                inodes.blocksOf(RESIZE_INODE).forEach(extent -> hidden.add(new Ext4Holder.HiddenMetadata(
                        Ext4MetadataKind.RESIZE_INODE, extent[0], extent[1])));
            } catch (IOException | RuntimeException e) {
                logger.log(System.Logger.Level.WARNING, "cannot read the resize inode: " + e.getMessage());
            }
        }
        hidden.sort(Comparator.comparingLong(Ext4Holder.HiddenMetadata::start));
        return hidden;
    }

    /**
     * The UUID in ext4's superblock now, which is what {@code blkid} reads: from the kernel through the mount point
     * ({@code EXT4_IOC_GETFSUUID}, Linux 6.0+), which needs no access to the device; else from the superblock read
     * from the device. Not {@code FS_IOC_GETFSUUID}: that is the VFS's copy from mount time, stale after an online
     * {@code tune2fs -U} (zeros for a root filesystem made with a nil UUID and given its own at first boot), and
     * every kernel that has it has ext4's. Nothing else the kernel offers names the UUID: sysfs's
     * {@code /sys/fs/ext4/<dev>} has none, and statfs's {@code f_fsid} is a 64-bit fold of it that cannot be
     * undone; {@code /dev/disk/by-uuid} is udev's (absent in containers and minimal systems, and not updated by an
     * online change). Without both the filesystem is refused rather than given a UUID that is not its own, since
     * the UUID is what its damage records are kept under.
     */
    private static String uuid(Mount mount, NativeFile mountPoint, Ext4Geometry geometry, String deviceProblem)
            throws IOException {
        try {
            return FilesystemUuid.ofExt4(mountPoint);
        } catch (NativeCallException e) {
            if (geometry != null && e.isUnsupported()) {
                return geometry.uuid;
            }
            if (geometry == null && e.isUnsupported()) {
                throw new AttachRefusedException(mount.mountPoint(), "cannot learn its UUID: the kernel has no "
                        + "EXT4_IOC_GETFSUUID (Linux 6.0 or later), and its superblock cannot be read from "
                        + mount.source() + " (" + deviceProblem + "); give daxguard read access to the"
                        + " device", e);
            }
            throw e;
        }
    }

    private static void probeGetfsmap(Mount mount, NativeFile mountPoint, int cookie, int blockSize)
            throws IOException {
        try {
            Getfsmap.query(mountPoint, cookie, 0, blockSize, 4, record -> false);
        } catch (NativeCallException e) {
            if (e.isUnsupported()) {
                throw new AttachRefusedException(mount.mountPoint(), "the kernel has no GETFSMAP for ext4 (needs "
                        + "Linux 4.12 or later)", e);
            }
            if (e.isPermissionDenied()) {
                throw new AttachRefusedException(mount.mountPoint(), "GETFSMAP needs CAP_SYS_ADMIN", e);
            }
            throw e;
        }
    }
}
