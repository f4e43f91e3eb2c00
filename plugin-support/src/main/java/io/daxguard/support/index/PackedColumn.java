package io.daxguard.support.index;

/**
 * An immutable column of non-negative longs, each stored in as few bits as the column's widest value needs.
 * Values that are all multiples of a power of two (4 KiB-aligned physical offsets and lengths) are stored
 * divided by it. Random access costs a shift, a mask and at most two array reads.
 *
 * <p>Why: an index of hundreds of thousands of extents in plain {@code long[]} columns spends most of its bits on
 * zeros (an 8 GiB filesystem needs 21 bits for a block-aligned offset, not 64). Packing each column to its own
 * width puts the benchmark fixture's extent at 8.6 bytes instead of 29, and scales with the filesystem's size
 * rather than with Java's word size.
 */
final class PackedColumn {
    private static final PackedColumn EMPTY = new PackedColumn(new long[0], 0, 0, 0);

    private final long[] words;
    private final int bits;
    private final int shift;
    private final long mask;
    private final int size;

    private PackedColumn(long[] words, int bits, int shift, int size) {
        this.words = words;
        this.bits = bits;
        this.shift = shift;
        this.mask = bits == 64 ? -1L : (1L << bits) - 1;
        this.size = size;
    }

    /**
     * How narrow the first {@code count} (non-negative) values can be stored: {@code shift}, the trailing zero bits
     * they all have, and {@code bits}, what the widest needs once those are dropped.
     */
    record Width(int shift, int bits) {
        static Width of(long[] values, int count) {
            long any = 0;
            for (int i = 0; i < count; i++) {
                any |= values[i];
            }
            int shift = any == 0 ? 0 : Long.numberOfTrailingZeros(any);
            long widest = 0;
            for (int i = 0; i < count; i++) {
                widest |= values[i] >>> shift;
            }
            return new Width(shift, 64 - Long.numberOfLeadingZeros(widest));
        }
    }

    /** Packs the first {@code count} values. */
    static PackedColumn of(long[] values, int count) {
        if (count == 0) {
            return EMPTY;
        }
        for (int i = 0; i < count; i++) {
            if (values[i] < 0) {
                throw new IllegalArgumentException("value " + i + " is negative: " + values[i]);
            }
        }
        Width width = Width.of(values, count);
        int shift = width.shift();
        int bits = width.bits();
        long[] words = new long[(int) (((long) count * bits + 63) >>> 6)];
        for (int i = 0; i < count && bits > 0; i++) {
            long value = values[i] >>> shift;
            long bitIndex = (long) i * bits;
            int word = (int) (bitIndex >>> 6);
            int offset = (int) (bitIndex & 63);
            words[word] |= value << offset;
            if (offset + bits > 64) {
                words[word + 1] |= value >>> (64 - offset);
            }
        }
        return new PackedColumn(words, bits, shift, count);
    }

    /**
     * A column as {@link #words}, {@link #bits}, {@link #shift} and {@link #size} described it (read back from a
     * saved index); refuses a shape no packing makes, so a damaged file cannot make {@link #get} read past the words.
     */
    static PackedColumn ofPacked(long[] words, int bits, int shift, int size) {
        if (size < 0 || bits < 0 || bits > 64 || shift < 0 || shift > 63 || (bits > 0 && shift + bits > 64)) {
            throw new IllegalArgumentException("no column has size " + size + ", " + bits + " bits, shift " + shift);
        }
        long expected = ((long) size * bits + 63) >>> 6;
        if (words.length != expected) {
            throw new IllegalArgumentException("a column of " + size + " values of " + bits + " bits has " + expected
                    + " words, not " + words.length);
        }
        return size == 0 ? EMPTY : new PackedColumn(words, bits, shift, size);
    }

    static PackedColumn of(int[] values, int count) {
        long[] widened = new long[count];
        for (int i = 0; i < count; i++) {
            widened[i] = values[i];
        }
        return of(widened, count);
    }

    /** Unsigned bytes. */
    static PackedColumn ofUnsigned(byte[] values, int count) {
        long[] widened = new long[count];
        for (int i = 0; i < count; i++) {
            widened[i] = values[i] & 0xff;
        }
        return of(widened, count);
    }

    /** Unsigned 32-bit values (generations). */
    static PackedColumn ofUnsigned(int[] values, int count) {
        long[] widened = new long[count];
        for (int i = 0; i < count; i++) {
            widened[i] = values[i] & 0xffff_ffffL;
        }
        return of(widened, count);
    }

    long get(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("index " + i + " of a column of " + size);
        }
        if (bits == 0) {
            return 0;
        }
        long bitIndex = (long) i * bits;
        int word = (int) (bitIndex >>> 6);
        int offset = (int) (bitIndex & 63);
        long value = words[word] >>> offset;
        if (offset + bits > 64) {
            value |= words[word + 1] << (64 - offset);
        }
        return (value & mask) << shift;
    }

    int getInt(int i) {
        return (int) get(i);
    }

    int size() {
        return size;
    }

    /** In a column sorted ascending: the position of {@code key}, or {@code -(insertion point) - 1}. */
    int binarySearch(long key) {
        int low = 0;
        int high = size - 1;
        while (low <= high) {
            int middle = (low + high) >>> 1;
            long value = get(middle);
            if (value < key) {
                low = middle + 1;
            } else if (value > key) {
                high = middle - 1;
            } else {
                return middle;
            }
        }
        return -(low + 1);
    }

    /** The last position whose value is below {@code bound} in a column sorted ascending; -1 if none. */
    int lastBelow(long bound) {
        int low = 0;
        int high = size - 1;
        int answer = -1;
        while (low <= high) {
            int middle = (low + high) >>> 1;
            if (get(middle) < bound) {
                answer = middle;
                low = middle + 1;
            } else {
                high = middle - 1;
            }
        }
        return answer;
    }

    /** Heap bytes of the packed words. */
    long bytes() {
        return (long) words.length * Long.BYTES;
    }

    /** The packed words themselves (not a copy: callers only write them out). */
    long[] words() {
        return words;
    }

    /** Trailing zero bits every value had, dropped when packed. */
    int shift() {
        return shift;
    }

    /** Bits per value. */
    int bits() {
        return bits;
    }
}
