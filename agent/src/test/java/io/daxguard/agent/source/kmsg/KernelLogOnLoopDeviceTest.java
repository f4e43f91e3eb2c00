package io.daxguard.agent.source.kmsg;

import io.daxguard.agent.source.probe.Handoff;
import io.daxguard.agent.source.probe.SuspectProbe;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.failure.FailureTuple;
import io.daxguard.agent.source.IngestQueue;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.FaultyDisk;
import io.daxguard.testkit.Privileges;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kernel log lines about real loop devices, fed to the source as the kernel would write them (the lines themselves
 * need no failing read): a probe whose marker never comes back, and a buffer error on a filesystem whose blocks are
 * not 4 KiB.
 */
@Tag("mount")
class KernelLogOnLoopDeviceTest {
    @TempDir
    Path directory;
    private final List<FailureTuple> delivered = Collections.synchronizedList(new ArrayList<>());
    private IngestQueue queue;
    private final SettableClock clock = new SettableClock();

    @BeforeEach
    void queue() {
        queue = new IngestQueue(100, 100, delivered::add);
        queue.start();
    }

    @AfterEach
    void close() {
        queue.close();
    }

    /** A log the source can write its markers to that never gives them back: each marker is lost. */
    private KernelLogSource sourceWithLostMarkers() throws Exception {
        Path kmsg = Files.createFile(directory.resolve("kmsg"));
        return new KernelLogSource(kmsg, false, Path.of("/sys"), new SuspectProbe(Path.of("/sys"), Path.of("/dev")), new Handoff(queue, queue::touchesKnown, () -> true), () -> Long.MAX_VALUE, KmsgCursor.none(),
                clock);
    }

    @Test
    void aProbedWindowWhoseMarkerNeverCameStopsMutingItsRegion() throws Exception {
        Privileges.requireRootLoopAnd("losetup");
        Path image = directory.resolve("disk.img");
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
            file.setLength(1 << 20);
        }
        String device = Path.of(Command.run("losetup", "--find", "--show", image.toString()).strip())
                .getFileName().toString();
        try {
            KernelLogSource source = sourceWithLostMarkers();
            String line = ",0,-;I/O error, dev " + device + ", sector 0 op 0x0:(READ) flags 0x0 phys_seg 1 prio class 0";

            source.handle("3,1" + line);
            source.handle("3,2" + line); // within the probe's window, before any marker: taken as the probe's own
            clock.advance(Duration.ofSeconds(31));
            source.handle("3,3" + line);

            assertThat(source.counters()).containsEntry("suspects", 2L).containsEntry("ownLines", 1L)
                    .containsEntry("markerLost", 1L);
        } finally {
            Command.run("losetup", "--detach", "/dev/" + device);
        }
    }

    @Test
    void aBufferErrorCountsInTheBlocksOfTheFilesystemOnTheDevice() throws Exception {
        try (FaultyDisk disk = FaultyDisk.ext4().mkfsOptions("-b", "1024").create()) {
            long badByte = 100 * 1024 + 512;
            disk.poison(badByte / 512, 1);
            KernelLogSource source = sourceWithLostMarkers();

            source.handle("3,1,0,-;Buffer I/O error on dev " + disk.deviceName() + ", logical block 100, async page read");
            queue.awaitIdle(30, TimeUnit.SECONDS);

            assertThat(delivered).extracting(FailureTuple::offset, FailureTuple::length)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(badByte, 512L));
        }
    }

    /** A clock a test moves on. */
    private static final class SettableClock extends Clock {
        private Instant now = Instant.parse("2026-12-02T00:00:00Z");

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
