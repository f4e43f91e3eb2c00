package io.daxguard.xfs;

import io.daxguard.spi.ExtentConsumer;
import io.daxguard.spi.FilesystemInfo;
import io.daxguard.spi.Holder;
import io.daxguard.spi.MetadataOwner;
import io.daxguard.spi.Mount;
import io.daxguard.support.linux.NativeFile;
import java.io.IOException;
import java.util.Objects;

/**
 * What both XFS holders share: the mount, its geometry, the data device as GETFSMAP names it, and the closed
 * flag. Queries after {@link #markClosed()} throw {@link IllegalStateException}.
 */
abstract class MountedXfsHolder implements Holder {
    private final Mount mount;
    private final FilesystemInfo info;
    private final int deviceCookie;
    private volatile boolean closed;

    /**
     * @param deviceCookie the data device as GETFSMAP names it
     */
    MountedXfsHolder(Mount mount, FilesystemInfo info, int deviceCookie) {
        this.mount = Objects.requireNonNull(mount, "mount is null");
        this.info = Objects.requireNonNull(info, "info is null");
        this.deviceCookie = deviceCookie;
    }

    @Override
    public final Mount mount() {
        return mount;
    }

    @Override
    public final FilesystemInfo info() {
        return info;
    }

    /** The hint rewritten for this mount, from the kind ({@link XfsSpecialOwner#repairHintNow}). */
    @Override
    public final String repairHint(MetadataOwner damaged) {
        return XfsSpecialOwner.repairHintNow(damaged, mount);
    }

    final int deviceCookie() {
        return deviceCookie;
    }

    /** Opens the mount point for one query, checking it still shows this filesystem. */
    final NativeFile openFilesystem() throws IOException {
        checkOpen();
        return NativeFile.openMountPoint(mount.mountPoint(), mount.device());
    }

    final void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the holder of " + mount.mountPoint() + " is closed");
        }
    }

    /** The argument checks of {@link #forEachWrittenExtent}: {@code [from, to)} with 0 <= from <= to. */
    static void checkWindow(long from, long to, ExtentConsumer consumer) {
        Objects.requireNonNull(consumer, "consumer is null");
        if (from < 0 || to < from) {
            throw new IllegalArgumentException("window must be [from, to) with 0 <= from <= to, was [" + from + ", "
                    + to + ")");
        }
    }

    final void markClosed() {
        closed = true;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + mount.mountPoint() + " on " + mount.source() + " ("
                + mount.device() + ")]";
    }
}
