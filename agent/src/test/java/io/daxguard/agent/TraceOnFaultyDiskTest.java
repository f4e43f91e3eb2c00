package io.daxguard.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daxguard.agent.ledger.DamageRecord;
import io.daxguard.agent.source.SourceSettings;
import io.daxguard.agent.source.trace.BlockErrorTraceSource;
import io.daxguard.testkit.FaultyDisk;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Tag;

/**
 * A burst of failing reads of many files within a moment: the kernel log would keep about ten lines in five
 * seconds (printk rate limit, shared by the whole machine); the trace event keeps every failed request, so every
 * file is recorded, at its exact bad logical block.
 */
@Tag("mount")
class TraceOnFaultyDiskTest {
    private static final int FILES = 16;
    private static final int FILE_SIZE = 64 * 1024;
    private static final long BAD_BYTE_IN_FILE = 7 * 4096 + 512;

    @LogicalSectorSizes.OnEveryLogicalSectorSize
    void everyFileOfABurstOfFailingReadsIsRecorded(String type, int logicalSectorSize) throws Exception {
        try (FaultyDisk disk = LogicalSectorSizes.faultyDisk(type, logicalSectorSize).failWholeRequests().create()) {
            List<Path> files = new ArrayList<>();
            for (int i = 0; i < FILES; i++) {
                Path file = disk.path("burst-" + i + ".bin");
                AgentFixture.writeFile(file, FILE_SIZE, i);
                files.add(file);
            }
            for (Path file : files) {
                disk.poison(disk.sectorOf(file, BAD_BYTE_IN_FILE), 1);
            }
            try (SourcesFixture fixture = new SourcesFixture(SourceSettings.defaults().withKmsgEnabled(false)
                    .withBadblocksEnabled(false))) {
                fixture.awaitHolderReady(disk.mountPoint());
                List<CompletableFuture<DamageRecord>> recorded = new ArrayList<>();
                for (Path file : files) {
                    String name = "/" + file.getFileName();
                    recorded.add(fixture.recordMatching(record -> record.source().equals(BlockErrorTraceSource.SOURCE)
                            && record.deviceName().equals(disk.deviceName())
                            && SourcesFixture.fileHits(List.of(record), disk.mountPoint().toString()).stream()
                                    .anyMatch(hit -> hit.startsWith(name + "@"))));
                }

                // Page cache only (1): enough for every read to reach the device.
                Files.writeString(Path.of("/proc/sys/vm/drop_caches"), "1\n");
                for (Path file : files) {
                    assertThatThrownBy(() -> Files.readAllBytes(file)).isInstanceOf(IOException.class);
                }

                for (int i = 0; i < FILES; i++) {
                    DamageRecord record = SourcesFixture.await(recorded.get(i), 120);
                    assertThat(SourcesFixture.fileHits(List.of(record), disk.mountPoint().toString()))
                            .containsExactly("/burst-" + i + ".bin@" + LogicalSectorSizes.logicalSectorStart(
                                    BAD_BYTE_IN_FILE, logicalSectorSize) + "+" + logicalSectorSize);
                }
            }
        }
    }
}
