package io.daxguard.support.linux;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Makes the file handle of an inode from its number and generation, for the handle kinds whose layout the kernel
 * fixes by an inode number and a generation alone, so a file whose inode is known can be opened without a name:
 * <ul>
 * <li>{@link #INO32_GEN}, {@code FILEID_INO32_GEN} of {@code include/linux/exportfs.h}: {@code u32 ino; u32 gen}
 *     (ext4, and XFS mounted {@code inode32});</li>
 * <li>{@link #XFS_INO64_GEN}, {@code FILEID_INO32_GEN | XFS_FILEID_TYPE_64FLAG} of {@code fs/xfs/xfs_export.h}:
 *     the packed {@code struct xfs_fid64 { u64 ino; u32 gen; }} (XFS mounted {@code inode64}, the default).</li>
 * </ul>
 * These are kernel-internal layouts, not uapi headers: which kind a filesystem uses is read from a handle the kernel
 * made for it ({@link #of}), and a caller checks that handle decodes to the inode and generation it was made for
 * ({@link #decodes}) before it makes any. Fields are in the CPU's byte order, as the kernel stores them.
 */
public enum InodeHandles {
    INO32_GEN(1, 8),
    XFS_INO64_GEN(0x81, 12);

    private final int type;
    private final int length;

    InodeHandles(int type, int length) {
        this.type = type;
        this.length = length;
    }

    /** The kind of {@code sample}, when it is one of these (type and length both). */
    static Optional<InodeHandles> of(FileHandle sample) {
        for (InodeHandles kind : values()) {
            if (kind.type == sample.type() && kind.length == sample.length()) {
                return Optional.of(kind);
            }
        }
        return Optional.empty();
    }

    /** The inode number {@code handle} names, when it is of one of these kinds. */
    static OptionalLong inodeOf(FileHandle handle) {
        return of(handle).map(kind -> OptionalLong.of(kind.inode(handle))).orElse(OptionalLong.empty());
    }

    private long inode(FileHandle handle) {
        ByteBuffer bytes = ByteBuffer.wrap(handle.bytes()).order(ByteOrder.nativeOrder());
        return this == INO32_GEN ? Integer.toUnsignedLong(bytes.getInt(0)) : bytes.getLong(0);
    }

    /** Whether a handle of this kind can name {@code inode} with {@code generation}. */
    public boolean fits(long inode, long generation) {
        return inode >= 0 && (this != INO32_GEN || inode <= 0xffff_ffffL) && generation >= 0
                && generation <= 0xffff_ffffL;
    }

    /** The handle of {@code inode} with {@code generation} (unsigned 32 bits), in this kind. */
    public FileHandle of(long inode, long generation) {
        if (!fits(inode, generation)) {
            throw new IllegalArgumentException("inode " + inode + " generation " + generation
                    + " do not fit a " + this + " handle");
        }
        ByteBuffer bytes = ByteBuffer.allocate(length).order(ByteOrder.nativeOrder());
        if (this == INO32_GEN) {
            bytes.putInt((int) inode);
        } else {
            bytes.putLong(inode);
        }
        bytes.putInt((int) generation);
        return new FileHandle(type, bytes.array());
    }

    /** Whether {@code handle} is of this kind and names exactly {@code inode} with {@code generation}. */
    public boolean decodes(FileHandle handle, long inode, long generation) {
        return handle.type() == type && handle.length() == length && fits(inode, generation)
                && handle.equals(of(inode, generation));
    }
}
