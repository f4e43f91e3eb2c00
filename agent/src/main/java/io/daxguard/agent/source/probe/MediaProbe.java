package io.daxguard.agent.source.probe;

import io.daxguard.agent.ranges.ByteRange;

import com.sun.jna.Memory;
import io.daxguard.spi.linux.NativeCallException;
import io.daxguard.spi.linux.NativeFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the exact bad sectors of a device range by reading it with {@code O_DIRECT} (the page cache cannot
 * answer in the device's place) in large reads, and bisecting every read that fails with EIO down to one
 * sector. Used to confirm a kmsg suspect range and by the scrubber.
 *
 * <p>Not thread safe: one probe owns one aligned buffer and one descriptor; each thread makes its own. The
 * descriptor is opened on the device node, never on a mount point.
 */
public final class MediaProbe implements AutoCloseable {
    /** The unit of bisection: the smallest unit the block layer reports, and what sysfs and kmsg count in. */
    public static final int SECTOR = 512;
    private static final int ALIGNMENT = 4096;

    private final NativeFile device;
    private final Memory allocation;
    private final Memory buffer;
    private final int bufferSize;
    private final long deviceSize;

    /**
     * @param devicePath the block device node ({@code /dev/loop3})
     * @param deviceSize its size in bytes: reads stop there
     * @param bufferSize the largest read, a multiple of 4096
     */
    public MediaProbe(Path devicePath, long deviceSize, int bufferSize) throws NativeCallException {
        if (bufferSize < ALIGNMENT || bufferSize % ALIGNMENT != 0) {
            throw new IllegalArgumentException("bufferSize must be a positive multiple of 4096, was " + bufferSize);
        }
        this.device = NativeFile.openDirect(devicePath);
        this.allocation = new Memory(bufferSize + (long) ALIGNMENT);
        this.buffer = allocation.align(ALIGNMENT);
        this.bufferSize = bufferSize;
        this.deviceSize = deviceSize;
    }

    /** The largest read. */
    public int bufferSize() {
        return bufferSize;
    }

    /**
     * Reads {@code [offset, offset + length)} (cut at the device's end; widened to whole sectors) and returns
     * the bad sectors as maximal runs of bytes, in order. Errors other than EIO are thrown.
     */
    public List<ByteRange> findBad(long offset, long length) throws IOException {
        long start = offset / SECTOR * SECTOR;
        long end = Math.min(deviceSize, ceilToSector(offset + length));
        List<ByteRange> bad = new ArrayList<>();
        for (long cursor = start; cursor < end; ) {
            int chunk = (int) Math.min(bufferSize, end - cursor);
            if (!readFully(cursor, chunk)) {
                bisect(cursor, chunk, bad);
            }
            cursor += chunk;
        }
        return mergeAdjacent(bad);
    }

    /** Reads one range that must fit the buffer; true when every byte read, false on EIO. */
    public boolean readFully(long offset, int length) throws IOException {
        long done = 0;
        while (done < length) {
            long count;
            try {
                count = preadAligned(offset + done, length - done);
            } catch (NativeCallException e) {
                if (e.errno() == NativeCallException.EIO) {
                    return false;
                }
                throw e;
            }
            if (count == 0) {
                throw new IOException("unexpected end of " + device.name() + " at byte " + (offset + done));
            }
            done += count;
        }
        return true;
    }

    private long preadAligned(long offset, long count) throws NativeCallException {
        return device.pread(buffer, count, offset);
    }

    private void bisect(long offset, int length, List<ByteRange> bad) throws IOException {
        if (length <= SECTOR) {
            bad.add(new ByteRange(offset, length));
            return;
        }
        int half = (length / 2 + SECTOR - 1) / SECTOR * SECTOR;
        if (!readFully(offset, half)) {
            bisect(offset, half, bad);
        }
        if (!readFully(offset + half, length - half)) {
            bisect(offset + half, length - half, bad);
        }
    }

    private static List<ByteRange> mergeAdjacent(List<ByteRange> ranges) {
        List<ByteRange> merged = new ArrayList<>();
        for (ByteRange range : ranges) {
            if (!merged.isEmpty() && merged.get(merged.size() - 1).end() == range.offset()) {
                ByteRange last = merged.remove(merged.size() - 1);
                merged.add(new ByteRange(last.offset(), last.length() + range.length()));
            } else {
                merged.add(range);
            }
        }
        return merged;
    }

    private static long ceilToSector(long value) {
        return (value + SECTOR - 1) / SECTOR * SECTOR;
    }

    @Override
    public void close() throws IOException {
        try {
            device.close();
        } finally {
            allocation.close();
        }
    }
}
