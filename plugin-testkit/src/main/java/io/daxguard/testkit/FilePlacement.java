package io.daxguard.testkit;

import io.daxguard.support.linux.Fiemap;
import io.daxguard.support.linux.NativeFile;
import java.io.IOException;
import java.nio.file.Path;

/** Where a file's bytes are, from FIEMAP (flushed first, so delayed allocations have their place): ground truth. */
public final class FilePlacement {
    private FilePlacement() {
    }

    /**
     * The address FIEMAP gives for byte {@code offset} of {@code file}: a byte of the device on ext4 and XFS, a btrfs
     * logical address on btrfs.
     *
     * @throws IOException when the byte has no place (a hole, or inline data)
     */
    public static long physicalOf(Path file, long offset) throws IOException {
        long[] found = {-1};
        try (NativeFile open = NativeFile.openReadOnly(file)) {
            Fiemap.map(open, offset, 1, Fiemap.FLAG_SYNC, Fiemap.DEFAULT_BATCH, extent -> {
                if (!extent.hasNoPhysicalAddress() && extent.logical() <= offset && offset < extent.logicalEnd()) {
                    found[0] = extent.physical() + (offset - extent.logical());
                }
                return found[0] < 0;
            });
        }
        if (found[0] < 0) {
            throw new IOException("byte " + offset + " of " + file + " has no place on the device (hole or inline)");
        }
        return found[0];
    }
}
