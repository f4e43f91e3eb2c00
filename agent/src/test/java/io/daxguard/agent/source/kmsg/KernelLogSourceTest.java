package io.daxguard.agent.source.kmsg;

import io.daxguard.agent.failure.DeviceRef;
import io.daxguard.spi.DeviceNumber;

import io.daxguard.agent.failure.FailureTuple;
import io.daxguard.agent.source.IngestQueue;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Record handling of the kernel log source that needs no disk: memory failures (pfn mapped through a fake
 * sysfs) and continuation records. Block I/O errors are tested on a real failing disk (KmsgOnFaultyDiskTest).
 */
class KernelLogSourceTest {
    @TempDir
    Path sysfs;
    private final List<FailureTuple> delivered = Collections.synchronizedList(new ArrayList<>());
    private IngestQueue queue;
    private KernelLogSource source;

    @BeforeEach
    void pmemDevice() throws Exception {
        Path device = Files.createDirectories(sysfs.resolve("block/pmem0/device"));
        Files.writeString(device.resolve("resource"), "0x240000000\n");
        Files.writeString(device.resolve("size"), "1073741824\n");
        queue = new IngestQueue(100, 100, delivered::add);
        queue.start();
        // The device's number, where sysfs keeps it for every block device.
        Files.writeString(Files.createDirectories(sysfs.resolve("class/block/pmem0")).resolve("dev"), "259:0\n");
        source = new KernelLogSource(sysfs.resolve("kmsg-not-opened"), false, sysfs, sysfs, queue, queue::isKnown,
                Clock.fixed(Instant.EPOCH, ZoneOffset.UTC));
    }

    @AfterEach
    void close() {
        queue.close();
    }

    private static String pfnOf(long offset) {
        return "0x" + Long.toHexString((0x240000000L + offset) / 4096);
    }

    @Test
    void aMemoryFailureInPmemBecomesAPageOfItsDevice() throws Exception {
        source.handle("3,10,100,-;Memory failure: " + pfnOf(8192) + ": recovery action for dax page: Recovered");
        queue.awaitIdle(30, TimeUnit.SECONDS);

        assertThat(delivered).extracting(FailureTuple::device, FailureTuple::offset, FailureTuple::length)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(
                        new DeviceRef(new DeviceNumber(259, 0), "pmem0"), 8192L, 4096L));
    }

    @Test
    void continuationRecordsAreJoinedBeforeTheyAreRecognised() throws Exception {
        source.handle("3,11,100,c;Memory failure: ");
        source.handle("3,12,100,+;" + pfnOf(4096) + ": recovery action for dax page: Recovered");
        source.handle("6,13,101,-;something else");
        queue.awaitIdle(30, TimeUnit.SECONDS);

        assertThat(delivered).extracting(FailureTuple::offset).containsExactly(4096L);
    }

    @Test
    void aFloodThatTheKernelSuppressedIsCounted() throws Exception {
        source.handle("4,14,102,-;blk_print_req_error: 23 callbacks suppressed");

        assertThat(source.counters()).containsEntry("suppressed", 23L);
    }
}
