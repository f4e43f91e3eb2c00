package io.daxguard.support.index;

import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.LinuxPath;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The bytes of a saved {@link ExtentIndex}: its packed columns as they are in memory, so loading is reading words,
 * not sorting or packing again. Little-endian throughout:
 *
 * <pre>
 * long  MAGIC                         int   VERSION
 * int   uuid length, bytes (UTF-8)    int   device major, int device minor
 * long  root inode                    long  build time (ns)        long saved at (ms since the epoch)
 * 11 x  { int size, int bits, int shift, int words, long[words] }   in {@link ExtentIndex#columns()} order
 * int   name bytes, bytes             int   reach entries, long[entries]
 * int   CRC32C of every byte above
 * </pre>
 *
 * Every count is checked against the bytes left before anything is allocated, so a damaged file costs at most its
 * own size in memory. Anything that does not fit is an {@link IOException} with the reason; the caller ignores
 * the file.
 */
final class SavedIndexFormat {
    static final long MAGIC = 0x5844_4e49_4758_4144L; // "DAXGINDX" read little-endian
    /** Bumped whenever the layout or the meaning of a column changes; a file of another version is ignored. */
    static final int VERSION = 1;
    private static final int BUFFER = 1 << 20;

    /** Who the saved index belongs to, and when it was saved. */
    record Header(String uuid, DeviceNumber device, long rootInode, Duration buildTime, long savedAtMillis) {
    }

    private SavedIndexFormat() {
    }

    static void write(FileChannel channel, Header header, ExtentIndex index) throws IOException {
        Output out = new Output(channel);
        out.putLong(MAGIC);
        out.putInt(VERSION);
        byte[] uuid = header.uuid().getBytes(StandardCharsets.UTF_8);
        out.putInt(uuid.length);
        out.putBytes(uuid);
        out.putInt(header.device().major());
        out.putInt(header.device().minor());
        out.putLong(header.rootInode());
        out.putLong(header.buildTime().toNanos());
        out.putLong(header.savedAtMillis());
        for (PackedColumn column : index.columns()) {
            out.putInt(column.size());
            out.putInt(column.bits());
            out.putInt(column.shift());
            out.putInt(column.words().length);
            out.putLongs(column.words());
        }
        out.putInt(index.names().length);
        out.putBytes(index.names());
        out.putInt(index.reach().length);
        out.putLongs(index.reach());
        out.finish();
    }

    /** The header alone, checked for magic and version; the rest is read by {@link #readIndex} after the caller agrees. */
    static Header readHeader(Input in) throws IOException {
        if (in.getLong() != MAGIC) {
            throw new IOException("not a saved index (wrong magic number)");
        }
        int version = in.getInt();
        if (version != VERSION) {
            throw new IOException("format version " + version + ", this agent reads " + VERSION);
        }
        byte[] uuid = in.getBytes(in.getCount(1, 64));
        DeviceNumber device = new DeviceNumber(in.getInt(), in.getInt());
        long rootInode = in.getLong();
        long buildNanos = in.getLong();
        long savedAt = in.getLong();
        return new Header(new String(uuid, StandardCharsets.UTF_8), device, rootInode,
                Duration.ofNanos(Math.max(0, buildNanos)), savedAt);
    }

    /** The columns after the header; the checksum is checked before anything is returned. */
    static ExtentIndex readIndex(Input in, Header header, LinuxPath root, long startedNanos, Duration loadTime)
            throws IOException {
        List<PackedColumn> columns = new ArrayList<>(ExtentIndex.COLUMNS);
        for (int c = 0; c < ExtentIndex.COLUMNS; c++) {
            int size = in.getInt();
            int bits = in.getInt();
            int shift = in.getInt();
            long[] words = in.getLongs(in.getCount(Long.BYTES, Integer.MAX_VALUE));
            columns.add(PackedColumn.ofPacked(words, bits, shift, size));
        }
        byte[] names = in.getBytes(in.getCount(1, Integer.MAX_VALUE));
        long[] reach = in.getLongs(in.getCount(Long.BYTES, Integer.MAX_VALUE));
        in.checkChecksum();
        return new ExtentIndex(root, header.rootInode(), startedNanos, loadTime, columns, names, reach);
    }

    /** Buffered writes with a running CRC32C; the checksum itself goes last and is not covered. */
    private static final class Output {
        private final FileChannel channel;
        private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER).order(ByteOrder.LITTLE_ENDIAN);
        private final CRC32C crc = new CRC32C();

        Output(FileChannel channel) {
            this.channel = channel;
        }

        void putInt(int value) throws IOException {
            room(Integer.BYTES);
            buffer.putInt(value);
        }

        void putLong(long value) throws IOException {
            room(Long.BYTES);
            buffer.putLong(value);
        }

        void putLongs(long[] values) throws IOException {
            int done = 0;
            while (done < values.length) {
                room(Long.BYTES);
                int n = Math.min(values.length - done, buffer.remaining() / Long.BYTES);
                buffer.asLongBuffer().put(values, done, n);
                buffer.position(buffer.position() + n * Long.BYTES);
                done += n;
            }
        }

        void putBytes(byte[] bytes) throws IOException {
            int done = 0;
            while (done < bytes.length) {
                room(1);
                int n = Math.min(bytes.length - done, buffer.remaining());
                buffer.put(bytes, done, n);
                done += n;
            }
        }

        private void room(int bytes) throws IOException {
            if (buffer.remaining() < bytes) {
                drain();
            }
        }

        private void drain() throws IOException {
            buffer.flip();
            crc.update(buffer.duplicate());
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            buffer.clear();
        }

        void finish() throws IOException {
            drain();
            buffer.putInt((int) crc.getValue()).flip();
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        }
    }

    /**
     * Buffered reads of a file of known size with a running CRC32C over every byte but the last four (the stored
     * checksum). Counts are checked against what is left before arrays are made.
     */
    static final class Input {
        private final FileChannel channel;
        private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER).order(ByteOrder.LITTLE_ENDIAN);
        private final CRC32C crc = new CRC32C();
        private long unread; // bytes of the file before the checksum not yet in the buffer

        Input(FileChannel channel, long size) throws IOException {
            if (size < Integer.BYTES) {
                throw new IOException("truncated: " + size + " bytes");
            }
            this.channel = channel;
            this.unread = size - Integer.BYTES;
            buffer.limit(0);
        }

        /** A count of items of {@code itemBytes} each, at most {@code most}, that the rest of the file can hold. */
        int getCount(int itemBytes, int most) throws IOException {
            int count = getInt();
            if (count < 0 || count > most || (long) count * itemBytes > buffer.remaining() + unread) {
                throw new IOException("truncated or damaged: a count of " + count + " with "
                        + (buffer.remaining() + unread) + " bytes left");
            }
            return count;
        }

        int getInt() throws IOException {
            need(Integer.BYTES);
            return buffer.getInt();
        }

        long getLong() throws IOException {
            need(Long.BYTES);
            return buffer.getLong();
        }

        long[] getLongs(int count) throws IOException {
            long[] values = new long[count];
            int done = 0;
            while (done < count) {
                need(Long.BYTES);
                int n = Math.min(count - done, buffer.remaining() / Long.BYTES);
                buffer.asLongBuffer().get(values, done, n);
                buffer.position(buffer.position() + n * Long.BYTES);
                done += n;
            }
            return values;
        }

        byte[] getBytes(int count) throws IOException {
            byte[] values = new byte[count];
            int done = 0;
            while (done < count) {
                need(1);
                int n = Math.min(count - done, buffer.remaining());
                buffer.get(values, done, n);
                done += n;
            }
            return values;
        }

        /** At least {@code bytes} in the buffer, refilled from the file (and checksummed) as needed. */
        private void need(int bytes) throws IOException {
            if (buffer.remaining() >= bytes) {
                return;
            }
            buffer.compact();
            while (buffer.position() < bytes) {
                if (unread == 0) {
                    throw new EOFException("truncated: the file ends inside a value");
                }
                int want = (int) Math.min(unread, buffer.remaining());
                ByteBuffer into = buffer.duplicate();
                into.limit(into.position() + want);
                int start = into.position();
                int read = channel.read(into);
                if (read < 0) {
                    throw new EOFException("truncated: the file is shorter than it was");
                }
                crc.update(buffer.duplicate().position(start).limit(start + read));
                buffer.position(start + read);
                unread -= read;
            }
            buffer.flip();
        }

        /** After the last value: nothing left over, and the stored checksum matches. */
        void checkChecksum() throws IOException {
            if (buffer.hasRemaining() || unread != 0) {
                throw new IOException("damaged: " + (buffer.remaining() + unread) + " bytes after the last column");
            }
            ByteBuffer stored = ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            while (stored.hasRemaining()) {
                if (channel.read(stored) < 0) {
                    throw new EOFException("truncated: no checksum");
                }
            }
            int expected = stored.flip().getInt();
            if (expected != (int) crc.getValue()) {
                throw new IOException("checksum mismatch: damaged");
            }
        }
    }
}
