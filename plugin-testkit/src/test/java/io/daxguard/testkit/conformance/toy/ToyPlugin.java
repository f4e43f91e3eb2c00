package io.daxguard.testkit.conformance.toy;

import io.daxguard.spi.AttachRefusedException;
import io.daxguard.spi.FilesystemInfo;
import io.daxguard.spi.FilesystemPlugin;
import io.daxguard.spi.Holder;
import io.daxguard.spi.Mount;
import io.daxguard.spi.PluginContext;
import io.daxguard.spi.SpiVersion;
import io.daxguard.support.linux.FilesystemStats;
import io.daxguard.support.linux.FilesystemUuid;
import io.daxguard.support.linux.NativeCallException;
import io.daxguard.support.linux.NativeFile;
import java.io.IOException;
import java.util.EnumSet;
import java.util.Set;

/**
 * A small but real plugin, the worked example of the conformance suite: file owners from FIEMAP of every file
 * (found by walking the tree at each query, so it is never stale), metadata and free space from the kernel's
 * GETFSMAP special owners, UnknownOwner for the rest. Slow on a big filesystem, right on a small one. It works on
 * any filesystem with FIEMAP and GETFSMAP (XFS, ext4). {@link Flaw}s make it deliberately wrong.
 */
public final class ToyPlugin implements FilesystemPlugin {
    private final Set<Flaw> flaws;

    /** The well-behaved toy. */
    public ToyPlugin() {
        this(Set.of());
    }

    public ToyPlugin(Set<Flaw> flaws) {
        this.flaws = flaws.isEmpty() ? EnumSet.noneOf(Flaw.class) : EnumSet.copyOf(flaws);
    }

    @Override
    public String type() {
        return "toy";
    }

    @Override
    public int spiVersion() {
        return SpiVersion.CURRENT;
    }

    @Override
    public Holder attach(Mount mount, PluginContext context) throws IOException {
        if (!mount.showsWholeFilesystem()) {
            throw new AttachRefusedException(mount.mountPoint(), flaws.contains(Flaw.REFUSES_WITHOUT_REMEDY)
                    ? "unsupported mount"
                    : "the toy plugin walks the whole tree and this mount shows only " + mount.root()
                    + "; attach a mount of its root");
        }
        try (NativeFile root = NativeFile.openMountPoint(mount.mountPoint(), mount.device())) {
            FilesystemStats stats = FilesystemStats.of(root);
            FilesystemInfo info = new FilesystemInfo(uuid(root), (int) stats.blockSize(),
                    stats.blocks() * stats.blockSize(), "toy:fiemap");
            return new ToyHolder(mount, info, flaws);
        }
    }

    private static String uuid(NativeFile root) {
        try {
            return FilesystemUuid.of(root);
        } catch (NativeCallException unsupported) {
            return "";
        }
    }
}
