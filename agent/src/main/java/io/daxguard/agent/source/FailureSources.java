package io.daxguard.agent.source;

import io.daxguard.agent.failure.FailureTuple;
import io.daxguard.agent.source.badblocks.BadblocksWatcher;
import io.daxguard.agent.source.kmsg.KernelLogSource;

import io.daxguard.agent.ranges.ByteRange;

import io.daxguard.agent.route.FailureProcessor;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;

/**
 * The failure sources of a running agent and the one ingest queue they feed: the kernel log
 * ({@link KernelLogSource}) and the badblocks watcher ({@link BadblocksWatcher}); the scrubber feeds the same
 * queue. The queue hands each coalesced range to the {@link FailureProcessor} and waits for it, so the
 * router's own queue never grows: back-pressure reaches the sources.
 *
 * <p>Threads: {@code daxguard-ingest} (the queue), {@code daxguard-kmsg}, {@code daxguard-badblocks}; all
 * owned through this object, stopped by {@link #close} (sources first, then the queue, which finishes what
 * is queued within a bound). A source that cannot start (no {@code /dev/kmsg} access) is logged and left off;
 * the agent runs without it.
 */
public final class FailureSources implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(FailureSources.class.getName());

    /** Told when poison disappeared from a badblocks list (a write cleared it). */
    @FunctionalInterface
    public interface ClearedListener {
        void cleared(String device, List<ByteRange> ranges);
    }

    private final SourceSettings settings;
    private final IngestQueue queue;
    private final KernelLogSource kernelLog;
    private final BadblocksWatcher badblocks;

    public FailureSources(SourceSettings settings, Path sysfs, FailureProcessor processor, Clock clock,
                          ClearedListener clearedListener) {
        this.settings = Objects.requireNonNull(settings, "settings is null");
        this.queue = new IngestQueue(settings.queueCapacity(), settings.knownCapacity(), tuple -> deliver(processor, tuple));
        this.kernelLog = new KernelLogSource(settings.kmsg(), sysfs, settings.devices(), queue, clock);
        this.badblocks = new BadblocksWatcher(sysfs, settings.badblocksRescan(), new BadblocksWatcher.Listener() {
            @Override
            public void added(String device, List<ByteRange> ranges) throws InterruptedException {
                for (ByteRange range : ranges) {
                    queue.submit(new FailureTuple(device, range.offset(), range.length(), 5, Set.of(), "badblocks",
                            clock.instant()));
                }
            }

            @Override
            public void cleared(String device, List<ByteRange> ranges) {
                ranges.forEach(range -> queue.forget(device, range.offset(), range.length()));
                clearedListener.cleared(device, ranges);
            }
        });
    }

    private static void deliver(FailureProcessor processor, FailureTuple tuple) throws Exception {
        try {
            processor.submit(tuple).get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    /** Starts the queue, then the sources that are enabled. */
    public void start() {
        queue.start();
        if (settings.kmsgEnabled()) {
            try {
                kernelLog.start(settings.kmsgReplay());
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "not reading the kernel log " + settings.kmsg() + ": " + e.getMessage());
            }
        }
        if (settings.badblocksEnabled()) {
            try {
                badblocks.start();
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "not watching badblocks: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public IngestQueue queue() {
        return queue;
    }

    public KernelLogSource kernelLog() {
        return kernelLog;
    }

    public BadblocksWatcher badblocks() {
        return badblocks;
    }

    @Override
    public void close() {
        try {
            kernelLog.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "closing the kernel log: " + e.getMessage());
        }
        badblocks.close();
        queue.close();
    }
}
