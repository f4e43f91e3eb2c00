package io.daxguard.btrfs;

/** Reads the little-endian integers of btrfs's on-disk items. */
final class LittleEndian {
    private LittleEndian() {
    }

    static long u64(byte[] data, int at) {
        long value = 0;
        for (int i = 7; i >= 0; i--) {
            value = value << 8 | (data[at + i] & 0xff);
        }
        return value;
    }

    /** A {@code __u32} as an int (callers mask with 0xffffffffL where it may exceed 2^31). */
    static int u32(byte[] data, int at) {
        return (data[at] & 0xff) | (data[at + 1] & 0xff) << 8 | (data[at + 2] & 0xff) << 16
                | (data[at + 3] & 0xff) << 24;
    }

    static int u16(byte[] data, int at) {
        return (data[at] & 0xff) | (data[at + 1] & 0xff) << 8;
    }
}
