package io.daxguard.support.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A file handle as the kernel encodes it ({@code struct file_handle} of {@code fcntl.h}: its type and opaque bytes),
 * naming one inode and generation of one filesystem for as long as that inode lives: what fanotify reports with
 * {@code FAN_REPORT_FID}, and what {@link NativeFile#openHandle} reopens ({@code open_by_handle_at}), ESTALE once
 * the file is gone. The bytes are filesystem-specific; only the inode number of the two encodings ext4 and XFS use is
 * ever read from them ({@link #inodeNumber}). Equal by type and bytes.
 *
 * <pre>
 * struct file_handle      offset
 *   unsigned int handle_bytes   0
 *   int handle_type             4
 *   unsigned char f_handle[]    8
 * </pre>
 */
public final class FileHandle {
    static final int OFFSET_BYTES = 0;
    static final int OFFSET_TYPE = 4;
    static final int HEADER_SIZE = 8;
    /** {@code MAX_HANDLE_SZ} of {@code linux/exportfs.h}: no filesystem encodes a longer handle. */
    static final int MAX_BYTES = 128;

    private final int type;
    private final byte[] bytes;
    private final int hash;

    FileHandle(int type, byte[] bytes) {
        if (bytes.length == 0 || bytes.length > MAX_BYTES) {
            throw new IllegalArgumentException("a file handle has 1.." + MAX_BYTES + " bytes, not " + bytes.length);
        }
        this.type = type;
        this.bytes = bytes.clone();
        this.hash = 31 * type + Arrays.hashCode(bytes);
    }

    /** The handle of the open file or directory ({@code name_to_handle_at(fd, "", AT_EMPTY_PATH)}). */
    public static FileHandle of(NativeFile file) throws NativeCallException {
        try (Memory handle = new Memory(HEADER_SIZE + MAX_BYTES); Memory mountId = new Memory(4)) {
            handle.clear();
            handle.setInt(OFFSET_BYTES, MAX_BYTES);
            try {
                LibC.name_to_handle_at(file.fd(), new byte[] {0}, handle, mountId, LibC.AT_EMPTY_PATH);
            } catch (LastErrorException e) {
                throw NativeCallException.from("name_to_handle_at", file.name(), e);
            }
            return new FileHandle(handle.getInt(OFFSET_TYPE), handle.getByteArray(HEADER_SIZE,
                    handle.getInt(OFFSET_BYTES)));
        }
    }

    /**
     * The file this handle names, read-only and non-blocking ({@link NativeFile#openHandle}), on the filesystem of
     * {@code mount}: ESTALE when it is gone or its inode holds another file now.
     */
    public NativeFile open(NativeFile mount) throws NativeCallException {
        return mount.openHandle(this, NativeFile.HandleAccess.READ);
    }

    /** The kind of inode handle this is, when daxguard knows how to make its like for another inode. */
    public Optional<InodeHandles> inodeHandles() {
        return InodeHandles.of(this);
    }

    int type() {
        return type;
    }

    byte[] bytes() {
        return bytes.clone();
    }

    /**
     * The inode number the handle names, for the encodings ext4 and XFS use for a handle without its parent (what
     * fanotify reports); empty for any other. Why decode at all: a handle that went stale (ESTALE) no longer opens,
     * yet which inode it named tells an incremental refresh that this inode number's file was deleted, and may
     * have been given to a new file.
     */
    public OptionalLong inodeNumber() {
        return InodeHandles.inodeOf(this);
    }

    int length() {
        return bytes.length;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof FileHandle handle && handle.type == type && Arrays.equals(handle.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return "handle " + type + ":" + HexFormat.of().formatHex(bytes);
    }
}
