package io.daxguard.spi;

import java.util.Objects;

/**
 * Facts about a held filesystem.
 *
 * @param uuid        the filesystem UUID, lower case with dashes; part of every file's identity
 * @param blockSize   the filesystem block size in bytes
 * @param size        the filesystem size in bytes (blocks times block size)
 * @param reverseMap  how owners are found, for example {@code "rmapbt"} or {@code "index"}
 */
public record FilesystemInfo(String uuid, int blockSize, long size, String reverseMap) {
    public FilesystemInfo {
        Objects.requireNonNull(uuid, "uuid is null");
        Objects.requireNonNull(reverseMap, "reverseMap is null");
        if (blockSize <= 0 || Integer.bitCount(blockSize) != 1) {
            throw new IllegalArgumentException("blockSize must be a power of two, was " + blockSize);
        }
        if (size < 0) {
            throw new IllegalArgumentException("size must not be negative, was " + size);
        }
    }
}
