package io.daxguard.spi;

/**
 * What occupies a physical range of a filesystem. Every owner carries the part of the queried range it
 * covers, in filesystem-relative bytes.
 */
public sealed interface Owner permits FileOwner, MetadataOwner, FreeSpaceOwner, UnknownOwner {

    /** First byte of this owner inside the queried range. */
    long physicalOffset();

    /** Bytes of this owner inside the queried range. */
    long length();

    /** One past the last byte. */
    default long physicalEnd() {
        return physicalOffset() + length();
    }

    /** Checks a physical range as every owner record does at construction. */
    static void checkRange(long physicalOffset, long length) {
        if (physicalOffset < 0) {
            throw new IllegalArgumentException("physicalOffset must not be negative, was " + physicalOffset);
        }
        if (length <= 0) {
            throw new IllegalArgumentException("length must be positive, was " + length);
        }
    }
}
