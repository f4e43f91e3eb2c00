package io.daxguard.agent.source;

import io.daxguard.agent.failure.DeviceRef;
import io.daxguard.spi.DeviceNumber;
import java.util.Map;

import io.daxguard.agent.failure.FailureTuple;

import io.daxguard.agent.ranges.RangeSet;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The ingest queue on its own, with a sink that records what leaves it. */
class IngestQueueTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private final List<FailureTuple> delivered = Collections.synchronizedList(new ArrayList<>());
    private final CountDownLatch gate = new CountDownLatch(1);
    /** Counted down when the drain thread holds the first tuple: what is submitted after that waits queued. */
    private final CountDownLatch drainBusy = new CountDownLatch(1);
    private IngestQueue queue;

    @AfterEach
    void close() {
        gate.countDown();
        if (queue != null) {
            queue.close();
        }
    }

    private static final Map<String, DeviceRef> DEVICES = Map.of(
            "blocker", new DeviceRef(new DeviceNumber(1, 0), "blocker"),
            "loop3", new DeviceRef(new DeviceNumber(7, 3), "loop3"),
            "loop4", new DeviceRef(new DeviceNumber(7, 4), "loop4"),
            // What a source that names devices by number reports: the same device as loop3.
            "7:3", new DeviceRef(new DeviceNumber(7, 3), "7:3"));

    private static FailureTuple tuple(String device, long offset, long length) {
        return new FailureTuple(DEVICES.get(device), offset, length, 5, Set.of(), "test", NOW);
    }

    /** A queue whose sink waits for the gate, so tuples gather before anything leaves. */
    private IngestQueue gatedQueue(int capacity) throws InterruptedException {
        queue = new IngestQueue(capacity, 1000, tuple -> {
            drainBusy.countDown();
            gate.await();
            delivered.add(tuple);
        });
        queue.start();
        return queue;
    }

    @Test
    void overlappingAndAdjacentRangesOfADeviceLeaveAsOneTuple() throws Exception {
        gatedQueue(100);
        queue.submit(tuple("blocker", 0, 512));
        drainBusy.await();
        queue.submit(tuple("loop3", 4096, 512));
        queue.submit(tuple("loop3", 4608, 512));
        queue.submit(tuple("loop3", 4096, 1024));
        queue.submit(tuple("loop3", 3584, 600));
        gate.countDown();
        queue.awaitIdle(30, TimeUnit.SECONDS);

        assertThat(delivered).filteredOn(t -> t.device().number().equals(DEVICES.get("loop3").number()))
                .extracting(FailureTuple::offset, FailureTuple::length)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(3584L, 1536L));
    }

    @Test
    void aDeviceNamedByNumberAndByNameIsOneDevice() throws Exception {
        gatedQueue(100);
        queue.submit(tuple("blocker", 0, 512));
        drainBusy.await();
        queue.submit(tuple("loop3", 4096, 512));
        queue.submit(tuple("7:3", 4608, 512));
        gate.countDown();
        queue.awaitIdle(30, TimeUnit.SECONDS);

        assertThat(delivered).filteredOn(t -> t.device().number().equals(new DeviceNumber(7, 3)))
                .extracting(FailureTuple::offset, FailureTuple::length)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(4096L, 1024L));
    }

    @Test
    void damageHandedOnUnderOneNameIsKnownUnderTheOther() throws Exception {
        gatedQueue(100);
        gate.countDown();
        queue.submit(tuple("loop3", 0, 4096));
        queue.awaitIdle(30, TimeUnit.SECONDS);

        assertThat(queue.offer(tuple("7:3", 512, 512))).isFalse();
    }

    @Test
    void aRangeTouchingDamageHandedOnOrWaitingIsKnownToTouchIt() throws Exception {
        gatedQueue(100);
        queue.submit(tuple("blocker", 0, 512));
        drainBusy.await();
        queue.submit(tuple("loop3", 8192, 512)); // waiting behind the blocker
        DeviceNumber loop3 = DEVICES.get("loop3").number();

        assertThat(queue.touchesKnown(loop3, 0, 1 << 20)).isTrue();
        assertThat(queue.touchesKnown(loop3, 0, 8192)).isFalse();
        gate.countDown();
        queue.awaitIdle(30, TimeUnit.SECONDS);
        assertThat(queue.touchesKnown(loop3, 4096, 8192)).isTrue(); // handed on now
        assertThat(queue.touchesKnown(DEVICES.get("loop4").number(), 0, 1 << 20)).isFalse();
    }

    @Test
    void rangesOfDifferentDevicesDoNotMerge() throws Exception {
        gatedQueue(100);
        queue.submit(tuple("blocker", 0, 512));
        drainBusy.await();
        queue.submit(tuple("loop3", 0, 512));
        queue.submit(tuple("loop4", 512, 512));
        gate.countDown();
        queue.awaitIdle(30, TimeUnit.SECONDS);

        assertThat(delivered).extracting(t -> t.device().name()).containsExactlyInAnyOrder("blocker", "loop3", "loop4");
    }

    @Test
    void damageAlreadyHandedOnIsDroppedAtSubmit() throws Exception {
        gatedQueue(100);
        gate.countDown();
        queue.submit(tuple("loop3", 0, 4096));
        queue.awaitIdle(30, TimeUnit.SECONDS);

        boolean queued = queue.offer(tuple("loop3", 512, 512));

        assertThat(queued).isFalse();
    }

    @Test
    void forgottenDamageCountsAgain() throws Exception {
        gatedQueue(100);
        gate.countDown();
        queue.submit(tuple("loop3", 0, 4096));
        queue.awaitIdle(30, TimeUnit.SECONDS);
        queue.forget(DEVICES.get("loop3").number(), 0, 4096);

        assertThat(queue.offer(tuple("loop3", 512, 512))).isTrue();
    }

    @Test
    void aScatteredStormNeverQueuesMoreThanTheCapacity() throws Exception {
        AtomicInteger mostWaiting = new AtomicInteger();
        queue = new IngestQueue(16, 1000, tuple -> mostWaiting.accumulateAndGet(queue.waiting(), Math::max));
        queue.start();
        Random random = new Random(1);
        for (int i = 0; i < 20_000; i++) {
            queue.submit(tuple("loop3", random.nextInt(1 << 24) * 1024L, 512));
        }
        queue.awaitIdle(60, TimeUnit.SECONDS);

        assertThat(mostWaiting.get()).isBetween(1, 16);
    }

    @Test
    void everyByteOfAStormIsDelivered() throws Exception {
        RangeSet seen = new RangeSet();
        queue = new IngestQueue(8, 0, tuple -> {
            synchronized (seen) {
                seen.add(tuple.offset(), tuple.offset() + tuple.length());
            }
        });
        queue.start();
        RangeSet sent = new RangeSet();
        for (int i = 0; i < 5_000; i++) {
            long offset = (i * 7919L % 4096) * 512;
            sent.add(offset, offset + 512);
            queue.submit(tuple("loop3", offset, 512));
        }
        queue.awaitIdle(60, TimeUnit.SECONDS);

        assertThat(seen.ranges()).isEqualTo(sent.ranges());
    }
}
