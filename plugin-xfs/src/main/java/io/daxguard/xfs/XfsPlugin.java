package io.daxguard.xfs;

import io.daxguard.spi.AttachRefusedException;
import io.daxguard.spi.FilesystemInfo;
import io.daxguard.spi.FilesystemPlugin;
import io.daxguard.spi.Holder;
import io.daxguard.spi.Mount;
import io.daxguard.spi.PluginContext;
import io.daxguard.spi.SpiVersion;
import io.daxguard.support.index.IndexOptions;
import io.daxguard.support.index.LiveReverseMap;
import io.daxguard.support.index.SavedIndexFile;
import io.daxguard.support.linux.FileStatus;
import io.daxguard.support.linux.FilesystemStats;
import io.daxguard.support.linux.FilesystemUuid;
import io.daxguard.support.linux.FsmapRecord;
import io.daxguard.support.linux.Getfsmap;
import io.daxguard.support.linux.NativeCallException;
import io.daxguard.support.linux.NativeFile;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The XFS plugin: owners come from the filesystem's reverse-map btree through {@code FS_IOC_GETFSMAP}
 * ({@link XfsHolder}); on a filesystem made without it, from an index daxguard builds ({@link XfsIndexedHolder}).
 *
 * <p>Without rmapbt the kernel answers GETFSMAP from the free-space btree, reporting every used block as
 * "unknown owner"; the geometry flags tell this case. With rmapbt the kernel does the same for a caller without
 * {@code CAP_SYS_ADMIN}: attaching refuses that, told by probing the superblock's owner, with the fix in the
 * reason (the index is no substitute there: an administrator should grant the capability).
 */
public final class XfsPlugin implements FilesystemPlugin {
    /** {@link io.daxguard.spi.FilesystemInfo#reverseMap} of a filesystem without rmapbt. */
    static final String INDEX_FIEMAP = "index:fiemap";
    static final String NO_CAP_SYS_ADMIN = "GETFSMAP reports no inode owners without CAP_SYS_ADMIN; run daxguard as"
            + " root or with AmbientCapabilities=CAP_SYS_ADMIN";

    /** Public no-argument constructor for {@link java.util.ServiceLoader}. */
    public XfsPlugin() {
    }

    @Override
    public String type() {
        return "xfs";
    }

    @Override
    public int spiVersion() {
        return SpiVersion.CURRENT;
    }

    @Override
    public Holder attach(Mount mount, PluginContext context) throws IOException {
        Objects.requireNonNull(mount, "mount is null");
        Objects.requireNonNull(context, "context is null");
        try (NativeFile filesystem = NativeFile.openReadOnly(mount.mountPoint())) {
            XfsGeometry geometry = examine(mount, filesystem);
            if (!geometry.hasReverseMap()) {
                return attachIndexed(mount, context, filesystem, geometry);
            }
            probeOwners(mount, filesystem, geometry);
            FilesystemInfo info = new FilesystemInfo(uuid(filesystem, geometry), geometry.blockSize(),
                    geometry.dataBytes(), "rmapbt");
            context.logger().log(System.Logger.Level.INFO, "holding XFS {0} on {1} ({2}), uuid {3}",
                    mount.mountPoint(), mount.source(), mount.device(), info.uuid());
            return new XfsHolder(mount, info, mount.device().encoded(),
                    InodeStatsUntilChange.watching(mount.mountPoint(), context.logger()));
        }
    }

    /**
     * No reverse-map btree: owners come from an index of every file's extents (FIEMAP per file), built on the
     * index's own thread; attaching returns at once.
     */
    private static Holder attachIndexed(Mount mount, PluginContext context, NativeFile filesystem,
                                        XfsGeometry geometry) throws IOException {
        if (!mount.showsWholeFilesystem()) {
            throw new AttachRefusedException(mount.mountPoint(), "XFS without the reverse-map btree is indexed from"
                    + " its directory tree, and this mount shows only " + mount.root() + "; attach a mount of its root");
        }
        FilesystemInfo info = new FilesystemInfo(uuid(filesystem, geometry), geometry.blockSize(), geometry.dataBytes(),
                INDEX_FIEMAP);
        context.logger().log(System.Logger.Level.INFO, "holding XFS {0} on {1} ({2}), uuid {3}, without the"
                + " reverse-map btree: building an index of its files (mkfs.xfs -m rmapbt=1 would make this"
                + " unnecessary)", mount.mountPoint(), mount.source(), mount.device(), info.uuid());
        // Deduplication (FIDEDUPERANGE) remaps a file's blocks without any fanotify event, so on a filesystem whose
        // files can share blocks every answer is confirmed live rather than remembered until the next change.
        LiveReverseMap map = LiveReverseMap.start(mount.mountPoint(),
                IndexOptions.defaults().withRememberedConfirmations(!geometry.hasReflink())
                        .withSavedIndex(SavedIndexFile.of(context, info.uuid(), mount.device())), context.logger(),
                progress -> { });
        return new XfsIndexedHolder(mount, info, mount.device().encoded(),
                XfsFixedMetadata.of(geometry, mount), map);
    }

    private static XfsGeometry examine(Mount mount, NativeFile filesystem) throws IOException {
        FilesystemStats stats = FilesystemStats.of(filesystem);
        if (stats.magic() != FilesystemStats.XFS_MAGIC) {
            throw new AttachRefusedException(mount.mountPoint(), "not an XFS filesystem (statfs magic 0x"
                    + Long.toHexString(stats.magic()) + ")");
        }
        FileStatus status = filesystem.status();
        if (!status.device().equals(mount.device())) {
            throw new AttachRefusedException(mount.mountPoint(), "the mount point shows device " + status.device()
                    + ", not " + mount.device() + " as the mount table said; refresh the topology");
        }
        return XfsGeometry.of(filesystem);
    }

    /**
     * Asks GETFSMAP who owns the first block. With the reverse map in use it is static metadata (the superblock);
     * the kernel falls back to the free-space btree for a caller without CAP_SYS_ADMIN and then says "unknown".
     */
    private static void probeOwners(Mount mount, NativeFile filesystem, XfsGeometry geometry) throws IOException {
        int cookie = mount.device().encoded();
        List<FsmapRecord> first = new ArrayList<>(1);
        try {
            Getfsmap.query(filesystem, cookie, 0, geometry.blockSize(), 1, record -> {
                first.add(record);
                return false;
            });
        } catch (NativeCallException e) {
            if (e.isUnsupported()) {
                throw new AttachRefusedException(mount.mountPoint(), "the kernel refuses GETFSMAP on this filesystem ("
                        + NativeCallException.errnoName(e.errno()) + "); XFS needs Linux 4.12 or later", e);
            }
            throw e;
        }
        if (first.isEmpty()) {
            throw new AttachRefusedException(mount.mountPoint(), "GETFSMAP returned nothing for the superblock of"
                    + " device " + mount.device() + "; is the mount table stale?");
        }
        FsmapRecord superblock = first.get(0);
        if (superblock.isSpecialOwner() && superblock.owner() == FsmapRecord.OWN_UNKNOWN) {
            throw new AttachRefusedException(mount.mountPoint(), NO_CAP_SYS_ADMIN);
        }
        if (!superblock.isSpecialOwner() || superblock.owner() != XfsSpecialOwner.STATIC.owner()) {
            throw new AttachRefusedException(mount.mountPoint(), "GETFSMAP names owner 0x"
                    + Long.toHexString(superblock.owner()) + " for the superblock, not static fs metadata; daxguard"
                    + " does not understand this filesystem's reverse map");
        }
    }

    private static String uuid(NativeFile filesystem, XfsGeometry geometry) throws NativeCallException {
        try {
            return FilesystemUuid.of(filesystem);
        } catch (NativeCallException e) {
            if (e.isUnsupported()) {
                return geometry.uuid(); // FS_IOC_GETFSUUID arrived in Linux 6.5
            }
            throw e;
        }
    }
}
