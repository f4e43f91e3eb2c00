package io.daxguard.agent.source.trace;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.jna.Memory;
import io.daxguard.support.linux.FileStatus;
import io.daxguard.support.linux.NativeCallException;
import io.daxguard.support.linux.NativeFile;
import io.daxguard.support.linux.Poll;
import io.daxguard.testkit.FaultyDisk;
import io.daxguard.testkit.Privileges;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The block error trace event on a real failing loop device: every failed request, with its range, once each. */
@Tag("mount")
class TraceInstanceTest {
    private static final Path TRACEFS = Path.of("/sys/kernel/tracing");

    @Test
    void everyFailedReadOfABurstIsTracedWithItsDeviceAndRange() throws Exception {
        Privileges.requireRootLoopFuseAnd("mkfs.xfs");
        try (FaultyDisk disk = FaultyDisk.xfs().failWholeRequests().create();
             TraceInstance trace = TraceInstance.open(TRACEFS, Path.of("/proc/self/mounts"))) {
            Path device = Path.of("/dev", disk.deviceName());
            var number = FileStatus.ofPath(device).rdev();
            long[] bad = {2048, 4096, 6144, 8192, 10240, 12288, 14336, 16384, 18432, 20480, 22528, 24576};
            for (long sector : bad) {
                disk.poison(sector, 1);
            }
            // Twelve failing reads within a moment: the kernel log would keep about ten of them (printk rate limit).
            long before = System.nanoTime();
            try (NativeFile direct = NativeFile.openDirect(device); Memory allocation = new Memory(8192)) {
                Memory buffer = allocation.align(4096);
                for (long sector : bad) {
                    try {
                        direct.pread(buffer, 4096, sector * 512);
                    } catch (NativeCallException expected) {
                        assertThat(expected.errno()).isEqualTo(NativeCallException.EIO);
                    }
                }
            }

            long after = System.nanoTime();
            List<BlockError> errors = readUntil(trace, bad.length, number);

            assertThat(errors).extracting(BlockError::sector).containsExactly(bad[0], bad[1], bad[2], bad[3], bad[4],
                    bad[5], bad[6], bad[7], bad[8], bad[9], bad[10], bad[11]);
            assertThat(errors).allSatisfy(error -> {
                assertThat(error.sectors()).isEqualTo(8);
                assertThat(error.isRead()).isTrue();
                assertThat(error.error()).isNegative();
                // The instance's clock is System.nanoTime's: each failure is placed between the reads' start and end.
                assertThat(error.at()).isBetween(before, after);
            });
        }
    }

    @Test
    void closingRemovesTheInstance() throws Exception {
        Privileges.requireRootLoopFuseAnd("mkfs.xfs");
        Path directory;
        try (TraceInstance trace = TraceInstance.open(TRACEFS, Path.of("/proc/self/mounts"))) {
            directory = trace.directory();
            assertThat(Files.readString(directory.resolve(TraceInstance.EVENT).resolve("enable")).strip())
                    .isEqualTo("1");
        }

        assertThat(directory).doesNotExist();
        assertThat(TraceInstance.instancesOfThisProcess(TRACEFS)).isEmpty();
    }

    /** Reads the pipe until {@code count} errors of {@code device} came; the poll gives up after 30 s of silence. */
    private static List<BlockError> readUntil(TraceInstance trace, int count, io.daxguard.spi.DeviceNumber device)
            throws IOException {
        List<BlockError> errors = new ArrayList<>();
        StringBuilder partial = new StringBuilder();
        try (Memory buffer = new Memory(65536)) {
            while (errors.size() < count) {
                long read;
                try {
                    read = trace.pipe().read(buffer, buffer.size());
                } catch (NativeCallException e) {
                    if (e.errno() != NativeCallException.EAGAIN) {
                        throw e;
                    }
                    short events = Poll.await(List.of(new Poll.Request(trace.pipe(), Poll.POLLIN)), 30_000)[0];
                    assertThat(events).as("trace events within 30 s (have %s)", errors).isNotZero();
                    continue;
                }
                partial.append(new String(buffer.getByteArray(0, (int) read), StandardCharsets.US_ASCII));
                int newline;
                while ((newline = partial.indexOf("\n")) >= 0) {
                    Optional<BlockError> error = BlockError.parse(partial.substring(0, newline));
                    partial.delete(0, newline + 1);
                    error.filter(found -> found.device().equals(device)).ifPresent(errors::add);
                }
            }
        }
        return errors;
    }
}
