package io.daxguard.agent.recovery;

import com.sun.jna.Memory;
import io.daxguard.spi.linux.NativeCallException;
import io.daxguard.spi.linux.NativeFile;

/** Reads and writes of file ranges through a checked descriptor, in chunks of at most 1 MiB. */
final class RangeIo {
    private static final int CHUNK = 1 << 20;

    private RangeIo() {
    }

    /** Reads {@code range} with the descriptor's flags (O_DIRECT: aligned buffer); short only at end of file. */
    static byte[] read(NativeFile file, PageRange range) throws NativeCallException {
        byte[] out = new byte[Math.toIntExact(range.length())];
        try (Memory raw = new Memory(Math.min(CHUNK, out.length) + PageRange.PAGE)) {
            Memory buffer = raw.align(PageRange.PAGE);
            int done = 0;
            while (done < out.length) {
                int want = Math.min(CHUNK, out.length - done);
                long got = file.pread(buffer, want, range.start() + done);
                if (got <= 0) {
                    byte[] shorter = new byte[done];
                    System.arraycopy(out, 0, shorter, 0, done);
                    return shorter;
                }
                buffer.read(0, out, done, (int) got);
                done += (int) got;
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
