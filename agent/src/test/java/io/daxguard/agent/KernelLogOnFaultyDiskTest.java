package io.daxguard.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daxguard.agent.source.SourceSettings;
import io.daxguard.agent.ledger.DamageRecord;
import io.daxguard.testkit.FaultyDisk;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Tag;

/**
 * A buffered file read hits a bad sector on a disk that fails whole requests (so the kernel logs the request's
 * start, not the bad sector); the kernel log source re-reads the request and records the exact bad logical
 * sector (512 bytes, or the whole 4096 on a 4Kn disk), which names the right file and offset.
 */
@Tag("mount")
class KernelLogOnFaultyDiskTest {
    private static final int FILE_SIZE = 64 * 1024;
    private static final long BAD_BYTE_IN_FILE = 5 * 4096 + 3 * 512;
    /** printk_ratelimited in blk_print_req_error: 10 lines per 5 s machine-wide. */
    private static final long KERNEL_RATE_LIMIT_SECONDS = 6;

    @LogicalSectorSizes.OnEveryLogicalSectorSize
    void aFailedBufferedReadRecordsTheExactBadLogicalSectorAndNamesTheFileAndOffset(String type, int logicalSectorSize)
            throws Exception {
        try (FaultyDisk disk = LogicalSectorSizes.faultyDisk(type, logicalSectorSize).failWholeRequests().create()) {
            Path file = disk.path("victim.bin");
            AgentFixture.writeFile(file, FILE_SIZE, 3);
            long badSector = disk.sectorOf(file, BAD_BYTE_IN_FILE);
            disk.poison(badSector, 1);
            try (SourcesFixture fixture = new SourcesFixture(SourceSettings.defaults().withKmsgEnabled(true).withTraceEnabled(false)
                    .withBadblocksEnabled(false))) {
                fixture.awaitHolderReady(disk.mountPoint());
                // Other users of the machine may have failing disks too: only this disk's record counts.
                CompletableFuture<DamageRecord> recorded = fixture.recordMatching(record -> record.source().equals("kmsg")
                        && record.deviceName().equals(disk.deviceName()));

                DamageRecord record = readUntilRecorded(file, recorded);

                assertThat(SourcesFixture.fileHits(java.util.List.of(record), disk.mountPoint().toString()))
                        .containsExactly("/victim.bin@" + LogicalSectorSizes.logicalSectorStart(BAD_BYTE_IN_FILE,
                                logicalSectorSize) + "+" + logicalSectorSize);
            }
        }
    }

    /**
     * Drops the page cache and reads the whole file through it (readahead from the file's first sector, then
     * page by page, which must fail) until the record arrives. The kernel's rate limit may have swallowed the
     * line (other tests, or other users of the machine, use it up): then its window is waited out and the read
     * repeated, ten times at most. This wait is for a kernel rate limit, not for synchronisation; normally the
     * first read does.
     */
    private static DamageRecord readUntilRecorded(Path file, CompletableFuture<DamageRecord> recorded) throws Exception {
        for (int attempt = 1; ; attempt++) {
            // Page cache only (1): enough for the read to reach the device, gentle on a shared machine.
            Files.writeString(Path.of("/proc/sys/vm/drop_caches"), "1\n");
            assertThatThrownBy(() -> Files.readAllBytes(file)).isInstanceOf(IOException.class);
            try {
                return recorded.get(KERNEL_RATE_LIMIT_SECONDS, TimeUnit.SECONDS);
            } catch (TimeoutException notYet) {
                if (attempt == 10) {
                    throw notYet;
                }
            }
        }
    }
}
