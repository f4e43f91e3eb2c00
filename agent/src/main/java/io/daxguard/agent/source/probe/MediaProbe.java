package io.daxguard.agent.source.probe;

import io.daxguard.agent.ranges.ByteRange;
import io.daxguard.agent.topology.DirectIoAlignment;

import com.sun.jna.Memory;
import io.daxguard.support.linux.NativeCallException;
import io.daxguard.support.linux.NativeFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Finds the exact bad logical blocks of a device range by reading it with {@code O_DIRECT} (the page cache
 * cannot answer in the device's place) in large reads, and bisecting every read that fails with EIO down to one
 * logical block: the device's smallest unit of I/O, so the smallest that can fail. Every read is aligned as
 * {@link DirectIoAlignment} says (offsets and lengths to the logical block size, the buffer to the DMA
 * alignment); anything finer fails with EINVAL. Used to confirm a kmsg suspect range and by the scrubber.
 *
 * <p>Not thread safe: one probe owns one aligned buffer and one descriptor; each thread makes its own. The
 * descriptor is opened on the device node, never on a mount point.
 */
public final class MediaProbe implements AutoCloseable {
    private final NativeFile device;
    private final Memory allocation;
    private final Memory buffer;
    private final int bufferSize;
    private final long deviceSize;
    private final DirectIoAlignment alignment;

    /**
     * @param devicePath the block device node ({@code /dev/loop3})
     * @param deviceSize its size in bytes: reads stop at the last whole logical block
     * @param alignment  the device's, read from sysfs by the caller, which has the device
     * @param bufferSize the largest read, a positive multiple of the logical block size
     */
    public MediaProbe(Path devicePath, long deviceSize, DirectIoAlignment alignment, int bufferSize)
            throws NativeCallException {
        this.alignment = Objects.requireNonNull(alignment, "alignment is null");
        if (bufferSize <= 0 || !alignment.isAligned(bufferSize)) {
            throw new IllegalArgumentException("bufferSize must be a positive multiple of the logical block size "
                    + alignment.logicalBlockSize() + ", was " + bufferSize);
        }
        if (deviceSize < 0) {
            throw new IllegalArgumentException("deviceSize must not be negative, was " + deviceSize);
        }
        this.device = NativeFile.openDirect(devicePath);
        this.allocation = new Memory(bufferSize + (long) alignment.bufferAlignment());
        this.buffer = allocation.align(alignment.bufferAlignment());
        this.bufferSize = bufferSize;
        // A tail shorter than a logical block cannot be read with O_DIRECT; the kernel never uses one either.
        this.deviceSize = alignment.floor(deviceSize);
    }

    /** The largest read. */
    public int bufferSize() {
        return bufferSize;
    }

    /**
     * The bytes {@link #findBad} reads for {@code [offset, offset + length)}: widened to whole logical blocks,
     * cut at the device's end; empty when nothing of it is on the device.
     */
    public Optional<ByteRange> window(long offset, long length) {
        long start = alignment.floor(offset);
        long end = Math.min(deviceSize, alignment.ceil(offset + length));
        return end > start ? Optional.of(new ByteRange(start, end - start)) : Optional.empty();
    }

    /**
     * Reads {@link #window(long, long)} of {@code [offset, offset + length)} and returns the bad logical blocks as
     * maximal runs of bytes, in order. Errors other than EIO are thrown.
     */
    public List<ByteRange> findBad(long offset, long length) throws IOException {
        Optional<ByteRange> window = window(offset, length);
        if (window.isEmpty()) {
            return List.of();
        }
        long end = window.get().end();
        List<ByteRange> bad = new ArrayList<>();
        for (long cursor = window.get().offset(); cursor < end; ) {
            int chunk = (int) Math.min(bufferSize, end - cursor);
            if (!readFully(cursor, chunk)) {
                bisect(cursor, chunk, bad);
            }
            cursor += chunk;
        }
        return mergeAdjacent(bad);
    }

    /**
     * Reads one range that must fit the buffer, whole logical blocks; true when every byte read, false on EIO.
     */
    public boolean readFully(long offset, int length) throws IOException {
        if (length > bufferSize || !alignment.isAligned(offset) || !alignment.isAligned(length)) {
            throw new IllegalArgumentException("a read must be whole logical blocks of " + alignment.logicalBlockSize()
                    + " bytes and fit the buffer of " + bufferSize + ": offset " + offset + ", length " + length);
        }
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

    /** Halves a failed read of whole logical blocks until each failing half is one logical block. */
    private void bisect(long offset, int length, List<ByteRange> bad) throws IOException {
        if (length <= alignment.logicalBlockSize()) {
            bad.add(new ByteRange(offset, length));
            return;
        }
        int half = (int) alignment.ceil(length / 2);
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

    @Override
    public void close() throws IOException {
        try {
            device.close();
        } finally {
            allocation.close();
        }
    }
}
