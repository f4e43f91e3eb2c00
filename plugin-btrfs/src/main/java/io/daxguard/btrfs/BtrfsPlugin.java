package io.daxguard.btrfs;

import io.daxguard.spi.AttachRefusedException;
import io.daxguard.spi.FilesystemInfo;
import io.daxguard.spi.FilesystemPlugin;
import io.daxguard.spi.Holder;
import io.daxguard.spi.Mount;
import io.daxguard.spi.PluginContext;
import io.daxguard.spi.SpiVersion;
import io.daxguard.support.linux.FilesystemStats;
import io.daxguard.support.linux.NativeCallException;
import io.daxguard.support.linux.NativeFile;
import java.io.IOException;
import java.util.List;
import java.util.Objects;

/**
 * The btrfs plugin: btrfs keeps its own reverse map (backreferences in the extent tree), so owners come from the
 * filesystem's trees through ioctls, with no index ({@link BtrfsHolder}). The mount table names a btrfs by an
 * anonymous device number (0:NN), never one of its block devices: those come from the filesystem itself
 * ({@code BTRFS_IOC_FS_INFO}, {@code BTRFS_IOC_DEV_INFO}).
 */
public final class BtrfsPlugin implements FilesystemPlugin {
    /** {@link FilesystemInfo#reverseMap} of a btrfs holder. */
    static final String BACKREFS = "btrfs-backrefs";
    static final String NO_CAP_SYS_ADMIN = "btrfs's tree search and backreference ioctls need CAP_SYS_ADMIN; run"
            + " daxguard as root or with AmbientCapabilities=CAP_SYS_ADMIN";

    /** Public no-argument constructor for {@link java.util.ServiceLoader}. */
    public BtrfsPlugin() {
    }

    @Override
    public String type() {
        return "btrfs";
    }

    @Override
    public int spiVersion() {
        return SpiVersion.CURRENT;
    }

    /**
     * Why a mount whose mount point shows no btrfs is refused: when the mount table says btrfs, another filesystem
     * was mounted over it (the btrfs is unreachable through that path), and uncovering it is the fix.
     */
    static String notBtrfs(Mount mount, long magic) {
        String shown = "statfs magic 0x" + Long.toHexString(magic);
        if (!"btrfs".equals(mount.fsType())) {
            return "not a btrfs filesystem (" + shown + ")";
        }
        return "not a btrfs filesystem (" + shown + ") at " + mount.mountPoint().display() + ", where the mount"
                + " table names a btrfs: another filesystem is mounted over it; umount " + mount.mountPoint().display()
                + " to uncover the btrfs, or mount it where nothing covers it";
    }

    @Override
    public Holder attach(Mount mount, PluginContext context) throws IOException {
        Objects.requireNonNull(mount, "mount is null");
        Objects.requireNonNull(context, "context is null");
        try (NativeFile filesystem = NativeFile.openDirectory(mount.mountPoint())) {
            long magic = FilesystemStats.of(filesystem).magic();
            if (magic != BtrfsHolder.BTRFS_SUPER_MAGIC) {
                throw new AttachRefusedException(mount.mountPoint(), notBtrfs(mount, magic));
            }
            BtrfsIoctls.FsInfo fs = BtrfsIoctls.fsInfo(filesystem);
            List<Member> members;
            try {
                members = BtrfsHolder.members(filesystem);
                // The tree search is what every answer needs; probe it here, where a refusal can be explained.
                new DeviceMap(filesystem).devExtents(members.isEmpty() ? 1 : members.get(0).devid(), 0, 1);
            } catch (NativeCallException e) {
                if (e.isPermissionDenied()) {
                    throw new AttachRefusedException(mount.mountPoint(), NO_CAP_SYS_ADMIN, e);
                }
                throw e;
            }
            if (members.isEmpty()) {
                throw new AttachRefusedException(mount.mountPoint(), "btrfs names none of its devices as present"
                        + " (mounted degraded with every device missing?)");
            }
            long size = members.stream().mapToLong(Member::totalBytes).sum();
            FilesystemInfo info = new FilesystemInfo(fs.uuid(), fs.sectorSize(), size, BACKREFS);
            context.logger().log(System.Logger.Level.INFO, "holding btrfs {0} ({1}), uuid {2}, on {3}",
                    mount.mountPoint(), mount.source(), info.uuid(),
                    members.stream().map(m -> m.path().display() + " (" + m.device() + ")").toList());
            return new BtrfsHolder(mount, info, fs.fsid(), fs.nodeSize());
        }
    }
}
