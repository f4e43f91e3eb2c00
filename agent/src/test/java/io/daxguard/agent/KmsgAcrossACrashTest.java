package io.daxguard.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daxguard.agent.ledger.DamageRecord;
import com.sun.jna.Memory;
import io.daxguard.agent.source.SourceSettings;
import io.daxguard.agent.source.kmsg.KernelLogParser;
import io.daxguard.support.linux.NativeCallException;
import io.daxguard.support.linux.NativeFile;
import io.daxguard.testkit.FaultyDisk;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * kill -9 of an agent, then a failing read while no agent runs, then a new agent on the same state directory: the
 * kernel log is read again from the position the killed agent kept, so the failure is recorded, exactly once.
 */
@Tag("mount")
class KmsgAcrossACrashTest {
    private static final long BAD_BYTE_IN_FILE = 3 * 4096 + 512;

    @Test
    void aFailureLoggedWhileNoAgentRanIsRecordedOnceByTheNextAgent() throws Exception {
        Path state = Files.createTempDirectory("daxguard-state-");
        try (FaultyDisk disk = FaultyDisk.xfs().failWholeRequests().create()) {
            Path file = disk.path("while-down.bin");
            AgentFixture.writeFile(file, 64 * 1024, 5);
            disk.poison(disk.sectorOf(file, BAD_BYTE_IN_FILE), 1);
            runAgentUntilItKeptItsPositionThenKillIt(state);

            // No agent runs now: the kernel logs the failed read (waiting out its rate limit if others used it up).
            long kept = Long.parseLong(Files.readString(state.resolve("kmsg.cursor")).strip().split(" ")[1]);
            long logged = failReadUntilTheKernelLogsIt(file, disk.deviceName(), kept);
            assertThat(logged).as("error lines for the disk after the kept position").isPositive();

            try (SourcesFixture next = new SourcesFixture(SourceSettings.defaults().withBadblocksEnabled(false),
                    state)) {
                next.awaitHolderReady(disk.mountPoint());
                java.util.function.Predicate<DamageRecord> ofTheDisk = record ->
                        record.deviceName().equals(disk.deviceName()) && record.source().equals("kmsg");
                CompletableFuture<DamageRecord> recorded = next.recordMatching(ofTheDisk);

                DamageRecord record = SourcesFixture.await(recorded, 120);
                next.agent().sources().queue().awaitIdle(60, TimeUnit.SECONDS);

                assertThat(SourcesFixture.fileHits(List.of(record), disk.mountPoint().toString()))
                        .containsExactly("/while-down.bin@" + BAD_BYTE_IN_FILE + "+512");
                assertThat(next.agent().ledger().records()).filteredOn(found ->
                        found.deviceName().equals(disk.deviceName())).hasSize(1);
            }
        } finally {
            if (Files.exists(state)) { // the fixture of the second agent deletes it when it closes
                AgentFixture.deleteTree(state);
            }
        }
    }

    private static void runAgentUntilItKeptItsPositionThenKillIt(Path state) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path"), KmsgAgentDriver.class.getName(),
                state.toString()));
        Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            assertThat(lines.readLine()).isEqualTo("position kept");
            new ProcessBuilder("kill", "-9", String.valueOf(child.pid())).start().waitFor(); // no shutdown, no flush
        } finally {
            child.destroyForcibly();
            child.waitFor();
        }
    }

    /**
     * Reads the file through a dropped page cache until the kernel log has an error line for the device (the
     * kernel's rate limit, shared by the whole machine, may swallow one: its window is then waited out, ten times at
     * most). Returns how many such lines the log holds.
     */
    private static long failReadUntilTheKernelLogsIt(Path file, String device, long after) throws Exception {
        for (int attempt = 1; ; attempt++) {
            Files.writeString(Path.of("/proc/sys/vm/drop_caches"), "1\n");
            assertThatThrownBy(() -> Files.readAllBytes(file)).isInstanceOf(IOException.class);
            long lines = errorLinesFor(device, after);
            if (lines > 0 || attempt == 10) {
                return lines;
            }
            TimeUnit.SECONDS.sleep(6); // the kernel's rate limit window (a kernel limit, not synchronisation)
        }
    }

    /** Kernel records after sequence number {@code after} that name a failed request on {@code device}. */
    private static long errorLinesFor(String device, long after) throws IOException {
        long lines = 0;
        try (NativeFile log = NativeFile.openReadOnly(Path.of("/dev/kmsg")); Memory buffer = new Memory(8192)) {
            while (true) {
                long count;
                try {
                    count = log.read(buffer, 8192);
                } catch (NativeCallException e) {
                    if (e.errno() == NativeCallException.EPIPE) {
                        continue; // overwritten while read: the next record follows
                    }
                    if (e.errno() == NativeCallException.EAGAIN) {
                        return lines;
                    }
                    throw e;
                }
                KernelLogParser.Record record = KernelLogParser.parseRecord(new String(buffer.getByteArray(0,
                        (int) count), StandardCharsets.UTF_8));
                if (record.sequence() > after && record.text().contains("error, dev " + device + ",")) {
                    lines++;
                }
            }
        }
    }
}
