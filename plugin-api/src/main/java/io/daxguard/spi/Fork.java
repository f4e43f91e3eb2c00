package io.daxguard.spi;

/** Which part of a file a block belongs to. */
public enum Fork {
    /** The file's contents. */
    DATA,
    /** Extended attributes stored outside the inode (XFS attr fork, ext4 xattr block). */
    ATTRIBUTES,
    /** The file's own block map (XFS bmbt blocks, ext4 extent tree blocks). */
    EXTENT_MAP
}
