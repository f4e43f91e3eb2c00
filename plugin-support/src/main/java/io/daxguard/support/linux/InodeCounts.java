package io.daxguard.support.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;

/**
 * The inode counts of {@code fstatfs(2)} ({@code f_files}, {@code f_ffree}; offsets in {@link FilesystemStats}):
 * how many inodes are in use tells an index builder how far along its walk is.
 *
 * @param total inodes the filesystem can hold
 * @param free  inodes not in use
 */
public record InodeCounts(long total, long free) {
    static final int OFFSET_FILES = 40;
    static final int OFFSET_FFREE = 48;

    public InodeCounts {
        if (total < 0 || free < 0) {
            throw new IllegalArgumentException("inode counts must not be negative, were " + total + ", " + free);
        }
    }

    public static InodeCounts of(NativeFile file) throws NativeCallException {
        try (Memory buffer = new Memory(FilesystemStats.SIZE)) {
            buffer.clear();
            try {
                LibC.fstatfs(file.fd(), buffer);
            } catch (LastErrorException e) {
                throw NativeCallException.from("fstatfs", file.name(), e);
            }
            return new InodeCounts(buffer.getLong(OFFSET_FILES), buffer.getLong(OFFSET_FFREE));
        }
    }

    /** Inodes in use, never negative (XFS may report more free than total while it grows its inode space). */
    public long used() {
        return Math.max(0, total - free);
    }
}
