package io.daxguard.btrfs;

import com.sun.jna.Memory;
import io.daxguard.support.linux.NativeCallException;
import io.daxguard.support.linux.NativeFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The kernel log lines written after it was opened ({@code /dev/kmsg}, from its end), message text only. */
final class KernelLog implements AutoCloseable {
    private final NativeFile kmsg;

    private KernelLog(NativeFile kmsg) {
        this.kmsg = kmsg;
    }

    static KernelLog fromNow() throws IOException {
        NativeFile kmsg = NativeFile.openReadOnly(Path.of("/dev/kmsg"));
        kmsg.seekToEnd();
        return new KernelLog(kmsg);
    }

    /** The messages logged since {@link #fromNow()} or the last call, without the record headers. */
    List<String> lines() throws IOException {
        List<String> lines = new ArrayList<>();
        try (Memory buffer = new Memory(8192)) {
            while (true) {
                long read;
                try {
                    read = kmsg.read(buffer, buffer.size());
                } catch (NativeCallException e) {
                    if (e.errno() == NativeCallException.EAGAIN) {
                        return lines;
                    }
                    if (e.errno() == NativeCallException.EPIPE) {
                        continue; // records overwritten before they were read: go on with the next
                    }
                    throw e;
                }
                if (read == 0) {
                    return lines;
                }
                String record = new String(buffer.getByteArray(0, (int) read), StandardCharsets.UTF_8);
                int text = record.indexOf(';');
                int end = record.indexOf('\n');
                lines.add(record.substring(text + 1, end < 0 ? record.length() : end));
            }
        }
    }

    @Override
    public void close() throws IOException {
        kmsg.close();
    }
}
