package io.daxguard.support.index;

import io.daxguard.support.linux.NativeFile;
import java.io.IOException;

/**
 * Blocks a file owns that FIEMAP does not show, supplied by the filesystem's plugin: ext4 extent-tree
 * index blocks and an xattr block hidden behind in-inode attributes, for example. The index asks once per
 * file while building and again, for the same file, to confirm a proposed owner, so a source must answer
 * from the live filesystem, never from a cache.
 */
@FunctionalInterface
public interface ExtraExtentSource {
    /** A source that knows of nothing beyond FIEMAP. */
    ExtraExtentSource NONE = (inode, file, sink) -> {
    };

    /** Receives one extra extent: physical bytes and {@link ExtentFlags} ({@code EXTENT_MAP} or {@code ATTRIBUTES}). */
    @FunctionalInterface
    interface Sink {
        void extent(long physical, long length, int flags);
    }

    /**
     * Visits the extra extents of {@code file}, which is open and whose inode number is {@code inode}.
     * Called from the index's build thread and from query threads at once; must be thread-safe.
     */
    void visit(long inode, NativeFile file, Sink sink) throws IOException;
}
