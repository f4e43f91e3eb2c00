package io.daxguard.agent.recovery;

import com.sun.jna.Memory;
import io.daxguard.agent.topology.DirectIoAlignment;
import io.daxguard.support.linux.NativeCallException;
import io.daxguard.support.linux.NativeFile;
import java.io.IOException;

/**
 * Reads, writes and copies of file ranges through checked descriptors, streamed in chunks of at most 1 MiB: one
 * buffer per call whatever the range's length, so a repair of many gigabytes needs no more memory than a small one
 * (and no range is ever held in a Java array, which could not exceed 2 GiB).
 */
final class RangeIo {
    private static final int CHUNK = 1 << 20;

    private RangeIo() {
    }

    /** Receives the bytes of a range one chunk at a time, in order; returns false to stop. */
    @FunctionalInterface
    interface Chunks {
        boolean accept(long offset, byte[] chunk, int length) throws IOException;
    }

    /**
     * Reads {@code range} through an {@code O_DIRECT} descriptor, chunk by chunk: the buffer aligned and every chunk
     * whole logical blocks as {@code alignment} says, so {@code range} must start on a logical block. Stops short at
     * the end of the file.
     *
     * @throws NativeCallException from the first read that fails (EIO where the device cannot read)
     */
    static void readDirect(NativeFile file, PageRange range, DirectIoAlignment alignment, Chunks chunks)
            throws IOException {
        if (!alignment.isAligned(range.start()) || !alignment.isAligned(range.length())) {
            throw new IllegalArgumentException(range + " is not whole logical blocks of "
                    + alignment.logicalBlockSize() + " bytes");
        }
        int chunk = (int) Math.max(alignment.logicalBlockSize(), alignment.floor(CHUNK));
        int size = (int) Math.min(chunk, Math.max(range.length(), 1));
        byte[] bytes = new byte[size];
        try (Memory raw = new Memory(size + (long) alignment.bufferAlignment())) {
            Memory buffer = raw.align(alignment.bufferAlignment());
            long done = 0;
            while (done < range.length()) {
                int want = (int) Math.min(size, range.length() - done);
                long got = file.pread(buffer, want, range.start() + done);
                if (got > 0) {
                    buffer.read(0, bytes, 0, (int) got);
                    if (!chunks.accept(range.start() + done, bytes, (int) got)) {
                        return;
                    }
                    done += got;
                }
                if (got < want) {
                    return; // the end of the file: another read would start off a logical block (EINVAL) or read nothing
                }
            }
        }
    }

    /** Writes zeros over {@code range}; every byte or an exception. */
    static void writeZeros(NativeFile file, PageRange range) throws NativeCallException {
        try (Memory buffer = new Memory(Math.max(1, Math.min(CHUNK, range.length())))) {
            buffer.clear();
            long done = 0;
            while (done < range.length()) {
                long want = Math.min(buffer.size(), range.length() - done);
                done += written(file, buffer, want, range.start() + done);
            }
        }
    }

    /**
     * Writes zeros over {@code range} through an {@code O_DIRECT} descriptor (a block device): the buffer aligned and
     * every write whole logical blocks as {@code alignment} says, so {@code range} must be whole logical blocks.
     */
    static void writeZerosDirect(NativeFile file, PageRange range, DirectIoAlignment alignment)
            throws NativeCallException {
        if (!alignment.isAligned(range.start()) || !alignment.isAligned(range.length())) {
            throw new IllegalArgumentException(range + " is not whole logical blocks of "
                    + alignment.logicalBlockSize() + " bytes");
        }
        int size = (int) Math.min(Math.max(alignment.logicalBlockSize(), alignment.floor(CHUNK)),
                Math.max(range.length(), alignment.logicalBlockSize()));
        try (Memory raw = new Memory(size + (long) alignment.bufferAlignment())) {
            Memory buffer = raw.align(alignment.bufferAlignment());
            buffer.clear(size);
            long done = 0;
            while (done < range.length()) {
                long want = Math.min(size, range.length() - done);
                long wrote = written(file, buffer, want, range.start() + done);
                if (!alignment.isAligned(wrote)) {
                    throw new NativeCallException("pwrite(offset " + (range.start() + done) + ", " + want
                            + " bytes: only " + wrote + " written)", file.name(), NativeCallException.EIO);
                }
                done += wrote;
            }
        }
    }

    /**
     * Copies {@code range} from {@code from} to the same offsets of {@code to}; every byte or an exception.
     *
     * @throws IOException when {@code from} ends inside the range (it changed size since it was checked)
     */
    static void copy(NativeFile from, NativeFile to, PageRange range) throws IOException {
        try (Memory buffer = new Memory(Math.max(1, Math.min(CHUNK, range.length())))) {
            long done = 0;
            while (done < range.length()) {
                long want = Math.min(buffer.size(), range.length() - done);
                long got = from.pread(buffer, want, range.start() + done);
                if (got <= 0) {
                    throw new IOException("the replica " + from.name() + " ended at byte " + (range.start() + done)
                            + " while " + range + " was copied: it changed size");
                }
                long put = 0;
                while (put < got) {
                    put += written(to, buffer.share(put), got - put, range.start() + done + put);
                }
                done += got;
            }
        }
    }

    /** Reads exactly {@code length} bytes at {@code offset} into {@code into}, or fewer at the end of the file. */
    static int read(NativeFile file, long offset, byte[] into, int length) throws NativeCallException {
        try (Memory buffer = new Memory(Math.max(1, length))) {
            int done = 0;
            while (done < length) {
                long got = file.pread(buffer, length - done, offset + done);
                if (got <= 0) {
                    break;
                }
                buffer.read(0, into, done, (int) got);
                done += (int) got;
            }
            return done;
        }
    }

    private static long written(NativeFile file, com.sun.jna.Pointer buffer, long count, long offset)
            throws NativeCallException {
        long wrote = file.pwrite(buffer, count, offset);
        if (wrote <= 0) {
            throw new NativeCallException("pwrite(offset " + offset + ")", file.name(), NativeCallException.EIO);
        }
        return wrote;
    }
}
