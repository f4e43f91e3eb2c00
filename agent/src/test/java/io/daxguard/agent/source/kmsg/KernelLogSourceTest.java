package io.daxguard.agent.source.kmsg;

import io.daxguard.agent.source.probe.Handoff;
import io.daxguard.agent.source.probe.SuspectProbe;

import io.daxguard.agent.failure.DeviceRef;
import io.daxguard.spi.DeviceNumber;

import io.daxguard.agent.failure.FailureTuple;
import io.daxguard.agent.source.IngestQueue;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.failure.FailureSink;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Record handling of the kernel log source that needs no disk: memory failures (pfn mapped through a fake
 * sysfs), continuation records, and records that cannot be handled (the source goes on with the next one). Block
 * I/O errors are tested on a real failing disk (KernelLogOnFaultyDiskTest).
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
        source = new KernelLogSource(sysfs.resolve("kmsg-not-opened"), false, sysfs, new SuspectProbe(sysfs, sysfs), new Handoff(queue, queue::touchesKnown, () -> true), () -> Long.MAX_VALUE, KmsgCursor.none(),
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
    void aRecordAProcessWroteIsNotTakenForTheKernels() throws Exception {
        // Facility user (1 << 3 | 4): what any root process writing to /dev/kmsg makes.
        source.handle("12,10,100,-;Memory failure: " + pfnOf(8192) + ": recovery action for dax page: Recovered");
        source.handle("3,11,101,-;Memory failure: " + pfnOf(12288) + ": recovery action for dax page: Recovered");
        queue.awaitIdle(30, TimeUnit.SECONDS);

        assertThat(delivered).extracting(FailureTuple::offset).containsExactly(12288L);
        assertThat(source.counters()).containsEntry("notKernel", 1L);
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

    @Test
    void anUnparsableRecordIsCountedAndTheNextFailureIsStillRecorded() throws Exception {
        source.handle("not a kernel log record");
        source.handle("3,15,103,-;Memory failure: " + pfnOf(12288) + ": recovery action for dax page: Recovered");
        queue.awaitIdle(30, TimeUnit.SECONDS);

        assertThat(source.counters()).containsEntry("unparsable", 1L);
        assertThat(delivered).extracting(FailureTuple::offset).containsExactly(12288L);
    }

    @Test
    void aProbeOnAVanishedDeviceRecordsTheWindowUnconfirmedAndTheNextFailureIsStillRecorded() throws Exception {
        disk("sdz", "8:240", 1L << 30); // listed in sysfs, but its node is gone from the devices directory

        source.handle("3,16,104,-;I/O error, dev sdz, sector 8 op 0x0:(READ) flags 0x0 phys_seg 1 prio class 2");
        source.handle("3,17,105,-;Memory failure: " + pfnOf(16384) + ": recovery action for dax page: Recovered");
        queue.awaitIdle(30, TimeUnit.SECONDS);

        assertThat(delivered).extracting(tuple -> tuple.device().name(), FailureTuple::offset, FailureTuple::source)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("sdz", 4096L, KernelLogSource.UNCONFIRMED_SOURCE),
                        org.assertj.core.groups.Tuple.tuple("pmem0", 16384L, KernelLogSource.MEMORY_FAILURE_SOURCE));
        assertThat(delivered.get(0).length()).isPositive();
        assertThat(source.counters()).containsEntry("deviceGone", 1L).containsEntry("unprobed", 1L);
    }

    @Test
    void aProbeThatFailsWithAnUnexpectedErrnoRecordsTheWindowUnconfirmed() throws Exception {
        disk("sdy", "8:224", 1L << 30);
        Files.createDirectories(sysfs.resolve("sdy")); // the "node" is a directory: O_DIRECT reads are refused

        source.handle("3,18,106,-;I/O error, dev sdy, sector 16 op 0x0:(READ) flags 0x0 phys_seg 1 prio class 2");
        queue.awaitIdle(30, TimeUnit.SECONDS);

        assertThat(delivered).extracting(FailureTuple::offset, FailureTuple::source)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(8192L, KernelLogSource.UNCONFIRMED_SOURCE));
        assertThat(source.counters()).containsEntry("probeFailed", 1L);
    }

    @Test
    void anExceptionFromTheSinkLosesOnlyThatFailure() throws Exception {
        AtomicInteger submits = new AtomicInteger();
        FailureSink failingOnce = tuple -> {
            if (submits.incrementAndGet() == 1) {
                throw new IllegalStateException("the pipeline refused it");
            }
            queue.submit(tuple);
        };
        KernelLogSource refused = new KernelLogSource(sysfs.resolve("kmsg-not-opened"), false, sysfs, new SuspectProbe(sysfs, sysfs),
                new Handoff(failingOnce, queue::touchesKnown, () -> true), () -> Long.MAX_VALUE, KmsgCursor.none(), Clock.fixed(Instant.EPOCH, ZoneOffset.UTC));

        refused.handle("3,19,107,-;Memory failure: " + pfnOf(20480) + ": recovery action for dax page: Recovered");
        refused.handle("3,20,108,-;Memory failure: " + pfnOf(24576) + ": recovery action for dax page: Recovered");
        queue.awaitIdle(30, TimeUnit.SECONDS);

        assertThat(refused.counters()).containsEntry("sinkFailures", 1L);
        assertThat(delivered).extracting(FailureTuple::offset).containsExactly(24576L);
    }

    /** A whole disk as sysfs lists it: its number, size and request queue; no node is made for it. */
    private void disk(String name, String number, long bytes) throws Exception {
        Path entry = Files.createDirectories(sysfs.resolve("class/block").resolve(name));
        Files.writeString(entry.resolve("dev"), number + "\n");
        Files.writeString(entry.resolve("size"), bytes / 512 + "\n");
        Path queue = Files.createDirectories(entry.resolve("queue"));
        Files.writeString(queue.resolve("logical_block_size"), "512\n");
        Files.writeString(queue.resolve("dma_alignment"), "511\n");
    }
}
