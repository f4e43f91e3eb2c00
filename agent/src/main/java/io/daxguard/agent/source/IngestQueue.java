package io.daxguard.agent.source;

import io.daxguard.agent.failure.DeviceRef;
import io.daxguard.agent.failure.FailureSink;
import io.daxguard.spi.DeviceNumber;

import io.daxguard.agent.failure.FailureTuple;

import io.daxguard.spi.FailureFlag;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one queue every source feeds (kmsg, badblocks, scrub, memory failures, JMX): bounded, coalescing, and
 * aware of damage already handed on.
 *
 * <ul>
 *   <li>Ranges of one device that overlap or touch merge while they wait: a storm of neighbouring sectors
 *       becomes one tuple.</li>
 *   <li>A tuple whose bytes were all handed on before ({@link KnownDamage}) is dropped at once.</li>
 *   <li>At most {@code capacity} separate ranges wait. A source offering a range that would exceed it waits
 *       (back-pressure) until the drain thread has taken one; memory never grows with the storm.</li>
 * </ul>
 *
 * <p>Threads: any number of producers call {@link #submit}; one drain thread, {@code daxguard-ingest}, owned
 * here and started by {@link #start}, takes up to 256 ranges at a time and hands them to the {@link TupleSink}
 * one by one, device by device in arrival order, lowest offset first. {@link #close} lets it finish what is queued (bounded wait), then
 * interrupts it.
 */
public final class IngestQueue implements FailureSink, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(IngestQueue.class.getName());
    /** Ranges the drain thread takes per lock: fewer hand-overs between producers and the drain thread. */
    private static final int BATCH = 256;

    /** Where ranges go when they leave the queue: the failure processor in the agent. */
    @FunctionalInterface
    public interface TupleSink {
        void accept(FailureTuple tuple) throws Exception;
    }

    private final int capacity;
    private final TupleSink sink;
    private final KnownDamage known;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notFull = lock.newCondition();
    private final Condition notEmpty = lock.newCondition();
    private final Condition idle = lock.newCondition();
    /** Devices with waiting ranges, in the order they first had one. */
    private final Map<DeviceNumber, TreeMap<Long, Pending>> pending = new LinkedHashMap<>();
    private int pendingRanges;
    private boolean delivering;
    private boolean drainWaiting;
    private int blockedProducers;
    private boolean closed;
    private Thread drain;

    private final LongAdder submitted = new LongAdder();
    private final LongAdder merged = new LongAdder();
    private final LongAdder alreadyKnown = new LongAdder();
    private final LongAdder delivered = new LongAdder();
    private final LongAdder failed = new LongAdder();

    /**
     * @param capacity      at most this many separate ranges wait
     * @param knownCapacity at most this many runs are remembered as handed on (the ledger stays the truth)
     * @param sink          where ranges go
     */
    public IngestQueue(int capacity, int knownCapacity, TupleSink sink) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        }
        this.capacity = capacity;
        this.sink = java.util.Objects.requireNonNull(sink, "sink is null");
        this.known = new KnownDamage(knownCapacity);
    }

    /** Starts the drain thread. */
    public void start() {
        lock.lock();
        try {
            if (drain != null) {
                throw new IllegalStateException("already started");
            }
            drain = new Thread(this::drainLoop, "daxguard-ingest");
            drain.setDaemon(true);
            drain.start();
        } finally {
            lock.unlock();
        }
    }

    /** Queues a tuple, merging it with waiting ranges of its device (by number); waits while the queue is full. */
    @Override
    public void submit(FailureTuple tuple) throws InterruptedException {
        offer(tuple);
    }

    /**
     * {@link #submit}, saying whether the tuple was queued.
     *
     * @return false when its bytes were all handed on already (dropped), true when queued
     * @throws IllegalStateException when the queue is closed
     */
    public boolean offer(FailureTuple tuple) throws InterruptedException {
        submitted.increment();
        long start = tuple.offset();
        long end = tuple.offset() + tuple.length();
        lock.lock();
        try {
            if (known.covers(tuple.device().number(), start, end)) {
                alreadyKnown.increment();
                return false;
            }
            while (!closed && pendingRanges >= capacity && !touchesWaiting(pending.get(tuple.device().number()), start, end)) {
                blockedProducers++;
                try {
                    notFull.await();
                } finally {
                    blockedProducers--;
                }
            }
            if (closed) {
                throw new IllegalStateException("the ingest queue is closed");
            }
            TreeMap<Long, Pending> ranges = pending.computeIfAbsent(tuple.device().number(), device -> new TreeMap<>());
            int change = merge(ranges, new Pending(tuple.device(), start, end, tuple.errno(), flagSet(tuple.flags()), tuple.source(),
                    tuple.observedAt()));
            pendingRanges += change;
            if (change <= 0) {
                merged.increment();
            }
            if (drainWaiting) {
                notEmpty.signal();
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Forgets that these bytes were handed on (poison cleared, file rewritten): a new failure there counts again. */
    public void forget(DeviceNumber device, long offset, long length) {
        lock.lock();
        try {
            known.forget(device, offset, offset + length);
        } finally {
            lock.unlock();
        }
    }


    /**
     * Whether any of these bytes is damage handed on already or waiting to be: a failed request over such bytes is
     * explained by it, and re-reading it would only fail again (and make the failure be traced again).
     */
    public boolean touchesKnown(DeviceNumber device, long offset, long length) {
        lock.lock();
        try {
            if (known.intersects(device, offset, offset + length)) {
                return true;
            }
            TreeMap<Long, Pending> waiting = pending.get(device);
            Map.Entry<Long, Pending> before = waiting == null ? null : waiting.floorEntry(offset + length - 1);
            return before != null && before.getValue().end > offset;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until nothing is queued and nothing is being handed on; false if {@code timeout} passed first. */
    public boolean awaitIdle(long timeout, TimeUnit unit) throws InterruptedException {
        long nanos = unit.toNanos(timeout);
        lock.lock();
        try {
            while (pendingRanges > 0 || delivering) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = idle.awaitNanos(nanos);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    private static boolean touchesWaiting(TreeMap<Long, Pending> ranges, long start, long end) {
        if (ranges == null) {
            return false;
        }
        Map.Entry<Long, Pending> floor = ranges.floorEntry(end);
        return floor != null && floor.getValue().end >= start;
    }

    /** Merges {@code range} into {@code ranges}; returns the change in their number. */
    private static int merge(TreeMap<Long, Pending> ranges, Pending range) {
        int before = ranges.size();
        Pending result = range;
        Map.Entry<Long, Pending> floor = ranges.floorEntry(result.start);
        if (floor != null && floor.getValue().end >= result.start) {
            result = floor.getValue().mergedWith(result);
            ranges.remove(floor.getKey());
        }
        for (Map.Entry<Long, Pending> next = ranges.ceilingEntry(result.start); next != null
                && next.getKey() <= result.end; next = ranges.ceilingEntry(result.start)) {
            result = next.getValue().mergedWith(result);
            ranges.remove(next.getKey());
        }
        ranges.put(result.start, result);
        return ranges.size() - before;
    }

    private void drainLoop() {
        List<FailureTuple> batch = new ArrayList<>(BATCH);
        while (true) {
            lock.lock();
            try {
                while (pendingRanges == 0 && !closed) {
                    drainWaiting = true;
                    notEmpty.await();
                }
                drainWaiting = false;
                if (pendingRanges == 0) {
                    return;
                }
                takeBatch(batch);
                delivering = true;
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            boolean[] ok = new boolean[batch.size()];
            for (int i = 0; i < batch.size(); i++) {
                ok[i] = deliver(batch.get(i));
            }
            lock.lock();
            try {
                for (int i = 0; i < batch.size(); i++) {
                    if (ok[i]) {
                        FailureTuple tuple = batch.get(i);
                        known.add(tuple.device().number(), tuple.offset(), tuple.end());
                    }
                }
                delivering = false;
                if (pendingRanges == 0) {
                    idle.signalAll();
                }
            } finally {
                lock.unlock();
            }
            batch.clear();
        }
    }

    /** Takes up to {@link #BATCH} ranges, device by device, lowest offset first (lock held). */
    private void takeBatch(List<FailureTuple> batch) {
        var devices = pending.entrySet().iterator();
        while (batch.size() < BATCH && devices.hasNext()) {
            var device = devices.next();
            TreeMap<Long, Pending> ranges = device.getValue();
            while (batch.size() < BATCH && !ranges.isEmpty()) {
                Pending first = ranges.pollFirstEntry().getValue();
                pendingRanges--;
                batch.add(new FailureTuple(first.device, first.start, first.end - first.start, first.errno,
                        first.flags, first.source, first.observedAt));
            }
            if (ranges.isEmpty()) {
                devices.remove();
            }
        }
        if (blockedProducers > 0) {
            notFull.signalAll();
        }
    }

    private boolean deliver(FailureTuple tuple) {
        try {
            sink.accept(tuple);
            delivered.increment();
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failed.increment();
            return false;
        } catch (Exception | Error e) {
            failed.increment();
            LOG.log(System.Logger.Level.WARNING, "could not process " + tuple.source() + " failure on "
                    + tuple.device() + " bytes " + tuple.offset() + "+" + tuple.length() + ": " + e.getMessage());
            return false;
        }
    }

    /** Counters since start: submitted, merged into a waiting range, dropped as known, delivered, failed. */
    public Map<String, Long> counters() {
        Map<String, Long> counters = new LinkedHashMap<>();
        counters.put("submitted", submitted.sum());
        counters.put("merged", merged.sum());
        counters.put("alreadyKnown", alreadyKnown.sum());
        counters.put("delivered", delivered.sum());
        counters.put("failed", failed.sum());
        return counters;
    }

    /** Ranges waiting now. */
    public int waiting() {
        lock.lock();
        try {
            return pendingRanges;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        Thread thread;
        lock.lock();
        try {
            closed = true;
            notEmpty.signalAll();
            notFull.signalAll();
            thread = drain;
        } finally {
            lock.unlock();
        }
        if (thread == null) {
            return;
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
            if (thread.isAlive()) {
                LOG.log(System.Logger.Level.WARNING, "ingest thread did not finish its queue in 10 s; stopping it");
                thread.interrupt();
                thread.join(TimeUnit.SECONDS.toMillis(5));
            }
        } catch (InterruptedException e) {
            thread.interrupt();
            Thread.currentThread().interrupt();
        }
    }

    private static Set<FailureFlag> flagSet(Set<FailureFlag> flags) {
        return flags.isEmpty() ? Set.of() : EnumSet.copyOf(flags);
    }

    /** A waiting range and what the first report of it said. */
    private record Pending(DeviceRef device, long start, long end, int errno, Set<FailureFlag> flags, String source,
                           Instant observedAt) {
        Pending mergedWith(Pending other) {
            Set<FailureFlag> union = flags;
            if (!other.flags.isEmpty() && !flags.containsAll(other.flags)) {
                EnumSet<FailureFlag> both = EnumSet.noneOf(FailureFlag.class);
                both.addAll(flags);
                both.addAll(other.flags);
                union = both;
            }
            Pending earlier = observedAt.isAfter(other.observedAt) ? other : this;
            return new Pending(earlier.device, Math.min(start, other.start), Math.max(end, other.end), earlier.errno, union,
                    earlier.source, earlier.observedAt);
        }
    }
}
