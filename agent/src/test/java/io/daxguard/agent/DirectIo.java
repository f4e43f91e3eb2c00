package io.daxguard.agent;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** O_DIRECT reads for tests: what the device says now, past every cache. */
final class DirectIo {
    private DirectIo() {
    }

    /** Whether reading the page at {@code offset} of {@code file} straight from the device fails. */
    static boolean pageFailsToRead(Path file, long offset) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, ExtendedOpenOption.DIRECT)) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(2 * 4096).alignedSlice(4096);
            buffer.limit(4096);
            channel.read(buffer, offset);
            return false;
        } catch (IOException e) {
            if (String.valueOf(e.getMessage()).contains("Input/output error")) {
                return true;
            }
            throw e;
        }
    }
}
