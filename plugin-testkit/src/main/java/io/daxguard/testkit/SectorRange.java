package io.daxguard.testkit;

/**
 * A run of 512-byte sectors on a block device: the unit disks, the loop driver and the kernel's
 * {@code I/O error, dev loopN, sector S} lines speak.
 *
 * @param start first sector
 * @param count number of sectors, at least 1
 */
public record SectorRange(long start, long count) {
    /** Bytes per sector, whatever the device's logical block size. */
    public static final int SECTOR_SIZE = 512;

    public SectorRange {
        if (start < 0) {
            throw new IllegalArgumentException("start must not be negative, was " + start);
        }
        if (count < 1) {
            throw new IllegalArgumentException("count must be at least 1, was " + count);
        }
    }

    /** The sectors that hold any of the bytes {@code [offset, offset + length)}. */
    public static SectorRange coveringBytes(long offset, long length) {
        if (offset < 0 || length < 1) {
            throw new IllegalArgumentException("byte range must have offset >= 0 and length >= 1, was "
                    + offset + "+" + length);
        }
        long first = offset / SECTOR_SIZE;
        long end = (offset + length + SECTOR_SIZE - 1) / SECTOR_SIZE;
        return new SectorRange(first, end - first);
    }

    /** The sector after the last one. */
    public long end() {
        return start + count;
    }

    /** Where the range starts, in bytes. */
    public long startByte() {
        return start * SECTOR_SIZE;
    }

    public boolean contains(long sector) {
        return sector >= start && sector < end();
    }
}
