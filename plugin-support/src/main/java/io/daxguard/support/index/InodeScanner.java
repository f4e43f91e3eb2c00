package io.daxguard.support.index;

import java.io.IOException;
import java.util.function.BooleanSupplier;

/**
 * A filesystem-specific bulk source of files and their extents, read from the filesystem's own structures
 * (ext4: the inode tables and extent trees, through the device's page cache). With one, an index build walks
 * the directories for names only and opens no file; without one it maps each file with FIEMAP. What a
 * scanner reports is a proposal like any other: every owner is confirmed against the live file before it
 * is reported, so a scanner that reads a half-written inode costs a refresh, never a wrong answer.
 * Extents that FIEMAP cannot confirm (extent-tree and xattr blocks) must carry {@link ExtentFlags#EXTRA}
 * and be reported by the filesystem's {@link ExtraExtentSource} too.
 */
public interface InodeScanner {

    /** Receives what the scan finds; called on the build thread. */
    interface Sink {
        /** An in-use regular file or directory; every inode whose extents follow must be declared. */
        void file(long inode, long generation);

        /** One extent of a declared file; bytes, {@link ExtentFlags} bits. */
        void extent(long inode, long logical, long physical, long length, int flags);
    }

    /**
     * Reports every in-use regular file and directory with its extents.
     *
     * @param cancelled polled now and then; when true, stop by throwing
     *                  {@link java.util.concurrent.CancellationException}
     */
    void scan(Sink sink, BooleanSupplier cancelled) throws IOException;
}
