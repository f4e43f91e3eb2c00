package io.daxguard.agent.source;

import io.daxguard.agent.failure.DeviceRef;
import io.daxguard.agent.failure.FailureSink;
import io.daxguard.agent.failure.FailureSource;
import io.daxguard.agent.ranges.ByteRange;
import io.daxguard.agent.source.badblocks.BadblocksSource;
import io.daxguard.agent.source.kmsg.KernelLogSource;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The automatic failure sources of a running agent and the one ingest queue they feed. Each source is handed the
 * queue as its {@link FailureSink}; the queue hands each coalesced range to the router and waits for it, so the
 * router's own queue never grows: back-pressure reaches the sources. The scrubber feeds the same queue.
 *
 * <p>Adding a source: write one {@link FailureSource} class and add one line to {@link #enabledSources}.
 *
 * <p>Threads: {@code daxguard-ingest} (the queue) and each source's own; all stopped by {@link #close} (sources
 * first, then the queue, which finishes what is queued within a bound). A source that cannot start (no
 * {@code /dev/kmsg} access) is logged and left off; the agent runs without it.
 */
public final class FailureSources implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(FailureSources.class.getName());

    /** Told when poison disappeared from a badblocks list (a write cleared it). */
    @FunctionalInterface
    public interface ClearedListener {
        void cleared(DeviceRef device, List<ByteRange> ranges);
    }

    private final IngestQueue queue;
    private final List<FailureSource> sources;
    private final List<FailureSource> started = new ArrayList<>();

    /**
     * @param router where the queue hands each range; it returns once the range is recorded (or failed)
     */
    public FailureSources(SourceSettings settings, Path sysfs, IngestQueue.TupleSink router, Clock clock,
                          ClearedListener clearedListener) {
        Objects.requireNonNull(settings, "settings is null");
        this.queue = new IngestQueue(settings.queueCapacity(), settings.knownCapacity(), router);
        this.sources = enabledSources(settings, sysfs, clock, (device, ranges) -> {
            ranges.forEach(range -> queue.forget(device.number(), range.offset(), range.length()));
            clearedListener.cleared(device, ranges);
        });
    }

    private List<FailureSource> enabledSources(SourceSettings settings, Path sysfs, Clock clock,
                                               BadblocksSource.Cleared cleared) {
        List<FailureSource> enabled = new ArrayList<>();
        if (settings.kmsgEnabled()) {
            enabled.add(new KernelLogSource(settings.kmsg(), settings.kmsgReplay(), sysfs, settings.devices(), queue,
                    queue::isKnown, clock));
        }
        if (settings.badblocksEnabled()) {
            enabled.add(new BadblocksSource(sysfs, settings.badblocksRescan(), queue, cleared, clock));
        }
        return List.copyOf(enabled);
    }

    /** Starts the queue, then each source; one that cannot start is logged and left off. */
    public void start() {
        queue.start();
        for (FailureSource source : sources) {
            try {
                source.start();
                started.add(source);
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "not reading the " + source.name() + " source: " + e.getMessage());
                source.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                source.close();
                return;
            }
        }
    }

    public IngestQueue queue() {
        return queue;
    }

    /** The sources that started, by name. */
    public List<FailureSource> running() {
        return List.copyOf(started);
    }

    @Override
    public void close() {
        sources.forEach(FailureSource::close);
        queue.close();
    }
}
