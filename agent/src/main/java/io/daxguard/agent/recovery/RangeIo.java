package io.daxguard.agent.recovery;

import com.sun.jna.Memory;
import io.daxguard.agent.topology.DirectIoAlignment;
import io.daxguard.spi.linux.NativeCallException;
import io.daxguard.spi.linux.NativeFile;

/** Reads and writes of file ranges through a checked descriptor, in chunks of at most 1 MiB. */
final class RangeIo {
    private static final int CHUNK = 1 << 20;

    private RangeIo() {
    }

    /**
     * Reads {@code range} through an {@code O_DIRECT} descriptor: the buffer aligned and every chunk whole logical
     * blocks as {@code alignment} says, so {@code range} must start on a logical block. Short only at the end of
     * the file.
     */
    static byte[] readDirect(NativeFile file, PageRange range, DirectIoAlignment alignment) throws NativeCallException {
        if (!alignment.isAligned(range.start()) || !alignment.isAligned(range.length())) {
            throw new IllegalArgumentException(range + " is not whole logical blocks of "
                    + alignment.logicalBlockSize() + " bytes");
        }
        byte[] out = new byte[Math.toIntExact(range.length())];
        int chunk = (int) Math.max(alignment.logicalBlockSize(), alignment.floor(CHUNK));
        try (Memory raw = new Memory(Math.min(chunk, out.length) + (long) alignment.bufferAlignment())) {
            Memory buffer = raw.align(alignment.bufferAlignment());
            int done = 0;
            while (done < out.length) {
                int want = Math.min(chunk, out.length - done);
                long got = file.pread(buffer, want, range.start() + done);
                if (got > 0) {
                    buffer.read(0, out, done, (int) got);
                    done += (int) got;
                }
                if (got < want) {
                    // The end of the file: another read would start off a logical block (EINVAL) or read nothing.
                    byte[] shorter = new byte[done];
                    System.arraycopy(out, 0, shorter, 0, done);
                    return shorter;
                }
            }
        }
        return out;
    }

    /** Writes {@code data} at {@code offset}; every byte or an exception. */
    static void write(NativeFile file, long offset, byte[] data) throws NativeCallException {
        try (Memory buffer = new Memory(Math.max(1, Math.min(CHUNK, data.length)))) {
            int done = 0;
            while (done < data.length) {
                int want = Math.min(CHUNK, data.length - done);
                buffer.write(0, data, done, want);
                long wrote = file.pwrite(buffer, want, offset + done);
                if (wrote <= 0) {
                    throw new NativeCallException("pwrite(offset " + (offset + done) + ")", file.name(),
                            NativeCallException.EIO);
                }
                done += (int) wrote;
            }
        }
    }
}
