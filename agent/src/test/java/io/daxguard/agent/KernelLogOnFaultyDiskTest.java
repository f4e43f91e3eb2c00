package io.daxguard.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daxguard.agent.source.SourceSettings;
import io.daxguard.agent.ledger.DamageRecord;
import io.daxguard.spi.testkit.FaultyDisk;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import com.sun.nio.file.ExtendedOpenOption;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A file read hits a bad sector on a disk that fails whole requests (so the kernel logs the request's start,
 * not the bad sector); the kernel log source re-reads the request and records the exact bad sector, which
 * names the right file and offset.
 */
@Tag("mount")
class KernelLogOnFaultyDiskTest {
    private static final int FILE_SIZE = 64 * 1024;
    private static final long BAD_BYTE_IN_FILE = 5 * 4096 + 3 * 512;
    /** printk_ratelimited in blk_print_req_error: 10 lines per 5 s machine-wide. */
    private static final long KERNEL_RATE_LIMIT_SECONDS = 6;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"xfs", "ext4"})
    void aFailedReadRecordsTheExactBadSectorAndNamesTheFileAndOffset(String type) throws Exception {
        if (type.equals("ext4")) {
            SourcesFixture.requirePlugin("ext4");
        }
        FaultyDisk.Builder builder = type.equals("xfs") ? FaultyDisk.xfs() : FaultyDisk.ext4();
        try (FaultyDisk disk = builder.failWholeRequests().create()) {
            Path file = disk.path("victim.bin");
            AgentFixture.writeFile(file, FILE_SIZE, 3);
            long badSector = disk.sectorOf(file, BAD_BYTE_IN_FILE);
            disk.poison(badSector, 1);
            try (SourcesFixture fixture = new SourcesFixture(SourceSettings.defaults().withKmsgEnabled(true)
                    .withBadblocksEnabled(false))) {
                fixture.awaitHolderReady(disk.mountPoint());
                // Other users of the machine may have failing disks too: only this disk's record counts.
                CompletableFuture<DamageRecord> recorded = fixture.recordMatching(record -> record.source().equals("kmsg")
                        && record.deviceName().equals(disk.deviceName()));

                DamageRecord record = readUntilRecorded(file, recorded);

                assertThat(SourcesFixture.fileHits(java.util.List.of(record), disk.mountPoint().toString()))
                        .containsExactly("/victim.bin@" + BAD_BYTE_IN_FILE + "+512");
            }
        }
    }

    /**
     * Reads the whole file with O_DIRECT (one request starting at the file's first sector, which must fail)
     * until the record arrives. The kernel's rate limit may have swallowed the line (other tests, or other
     * users of the machine, use it up): then its window is waited out and the read repeated, ten times at
     * most. This wait is for a kernel rate limit, not for synchronisation; normally the first read does.
     */
    private static DamageRecord readUntilRecorded(Path file, CompletableFuture<DamageRecord> recorded) throws Exception {
        for (int attempt = 1; ; attempt++) {
            assertThatThrownBy(() -> readDirect(file)).isInstanceOf(IOException.class);
            try {
                return recorded.get(KERNEL_RATE_LIMIT_SECONDS, TimeUnit.SECONDS);
            } catch (TimeoutException notYet) {
                if (attempt == 10) {
                    throw notYet;
                }
            }
        }
    }

    private static void readDirect(Path file) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocateDirect(FILE_SIZE + 4096).alignedSlice(4096);
        buffer.limit(FILE_SIZE);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, ExtendedOpenOption.DIRECT)) {
            channel.read(buffer, 0);
        }
    }
}
