package io.daxguard.support.linux;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.jna.Memory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** poll(2), read(2) and lseek(2) through their wrappers, on files every Linux has. */
class PollTest {

    @Test
    void aRegularFileNeverRaisesPollpriSoTheWaitTimesOut(@TempDir Path directory) throws IOException {
        Path file = Files.writeString(directory.resolve("badblocks"), "8 1\n");
        try (NativeFile open = NativeFile.openReadOnly(file)) {
            short[] happened = Poll.await(List.of(new Poll.Request(open, Poll.POLLPRI)), 1);

            assertThat(happened).containsExactly((short) 0);
        }
    }

    @Test
    void aWakeupEndsAWaitWithNoTimeoutFromAnotherThread(@TempDir Path directory) throws Exception {
        Path file = Files.writeString(directory.resolve("badblocks"), "8 1\n");
        try (NativeFile open = NativeFile.openReadOnly(file); Wakeup wakeup = Wakeup.open()) {
            java.util.concurrent.CompletableFuture<short[]> waited = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> {
                        try {
                            return Poll.await(List.of(new Poll.Request(open, Poll.POLLPRI),
                                    new Poll.Request(wakeup.file(), Poll.POLLIN)), -1);
                        } catch (NativeCallException e) {
                            throw new IllegalStateException(e);
                        }
                    });

            wakeup.wake();

            assertThat(waited.get(30, java.util.concurrent.TimeUnit.SECONDS)[1] & Poll.POLLIN).isEqualTo(Poll.POLLIN);
        }
    }

    @Test
    void aRegularFileIsReadableAtOnce(@TempDir Path directory) throws IOException {
        Path file = Files.writeString(directory.resolve("text"), "x");
        try (NativeFile open = NativeFile.openReadOnly(file)) {
            short[] happened = Poll.await(List.of(new Poll.Request(open, Poll.POLLIN)), -1);

            assertThat(happened[0] & Poll.POLLIN).isEqualTo(Poll.POLLIN);
        }
    }

    @Test
    void readAfterSeekToStartReturnsTheTextAgain(@TempDir Path directory) throws IOException {
        Path file = Files.writeString(directory.resolve("text"), "12 8\n");
        try (NativeFile open = NativeFile.openReadOnly(file); Memory buffer = new Memory(64)) {
            open.read(buffer, 64);
            open.seekToStart();

            long count = open.read(buffer, 64);

            assertThat(new String(buffer.getByteArray(0, (int) count), StandardCharsets.US_ASCII)).isEqualTo("12 8\n");
        }
    }

    @Test
    void readAfterSeekToEndReturnsNothing(@TempDir Path directory) throws IOException {
        Path file = Files.writeString(directory.resolve("text"), "12 8\n");
        try (NativeFile open = NativeFile.openReadOnly(file); Memory buffer = new Memory(64)) {
            open.seekToEnd();

            assertThat(open.read(buffer, 64)).isZero();
        }
    }
}
