package io.daxguard.support.index;

import io.daxguard.support.linux.Fiemap;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.support.linux.FileGeneration;
import io.daxguard.support.linux.NativeCallException;
import io.daxguard.support.linux.NativeFile;
import java.io.IOException;

/**
 * What an index records of one open file: its generation ({@code FS_IOC_GETVERSION}), the extents of its data and
 * of its extended attributes (FIEMAP, FIEMAP_FLAG_XATTR) and the plugin's {@link ExtraExtentSource} extents. The
 * one place that decides it, for a full build ({@link ExtentIndexBuilder}) and an incremental refresh
 * ({@link IncrementalRefresh}) alike, so both record a file the same way. Used by one thread at a time.
 */
final class FileMapper {
    private static final int FIEMAP_BATCH = 64;

    /** Receives a mapped file and its extents. */
    interface Sink {
        void file(long inode, long generation);

        void extent(long inode, long logical, long physical, long length, int flags);
    }

    private final ExtraExtentSource extras;
    private boolean attributesSupported = true;

    FileMapper(ExtraExtentSource extras) {
        this.extras = extras;
    }

    /**
     * Maps {@code file}, whose inode is {@code inode}; false (nothing recorded) when its generation cannot be read. A
     * file that changes or vanishes mid-map keeps what was found: every proposal is confirmed live anyway.
     */
    boolean map(long inode, NativeFile file, Sink sink) throws IOException {
        long generation;
        try {
            generation = FileGeneration.of(file);
        } catch (NativeCallException e) {
            return false;
        }
        sink.file(inode, generation);
        try {
            Fiemap.map(file, 0, Long.MAX_VALUE, 0, FIEMAP_BATCH, extent -> {
                add(sink, inode, extent, 0);
                return true;
            });
            if (attributesSupported) {
                Fiemap.map(file, 0, Long.MAX_VALUE, Fiemap.FLAG_XATTR, FIEMAP_BATCH, extent -> {
                    add(sink, inode, extent, ExtentFlags.ATTRIBUTES);
                    return true;
                });
            }
        } catch (NativeCallException e) {
            if (e.isUnsupported()) {
                attributesSupported = false;
            }
        }
        extras.visit(inode, file, (physical, length, flags) ->
                sink.extent(inode, 0, physical, length, flags | ExtentFlags.EXTRA));
        return true;
    }

    private static void add(Sink sink, long inode, FiemapExtent extent, int fork) {
        if (extent.hasNoPhysicalAddress() && !extent.isInline()) {
            return;
        }
        sink.extent(inode, extent.logical(), extent.physical(), extent.length(), fork | fiemapFlags(extent.flags()));
    }

    /** {@link ExtentFlags} of a FIEMAP extent's flags. */
    static int fiemapFlags(int fiemapFlags) {
        int flags = 0;
        if ((fiemapFlags & FiemapExtent.SHARED) != 0) {
            flags |= ExtentFlags.SHARED;
        }
        if ((fiemapFlags & FiemapExtent.UNWRITTEN) != 0) {
            flags |= ExtentFlags.UNWRITTEN;
        }
        if ((fiemapFlags & FiemapExtent.DATA_INLINE) != 0) {
            flags |= ExtentFlags.INLINE;
        }
        return flags;
    }
}
