package io.daxguard.support.linux;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * A file handle as the kernel encodes it ({@code struct file_handle} of {@code fcntl.h}: its type and opaque bytes),
 * naming one inode and generation of one filesystem for as long as that inode lives: what fanotify reports with
 * {@code FAN_REPORT_FID}, and what {@link NativeFile#openHandle} reopens ({@code open_by_handle_at}), ESTALE once
 * the file is gone. The bytes are filesystem-specific and never decoded here. Equal by type and bytes.
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

    int type() {
        return type;
    }

    byte[] bytes() {
        return bytes.clone();
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
