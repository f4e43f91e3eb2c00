package io.daxguard.agent.source;

import io.daxguard.agent.failure.DeviceRef;
import io.daxguard.agent.failure.FailureSink;
import io.daxguard.agent.failure.FailureSource;
import io.daxguard.agent.ranges.ByteRange;
import io.daxguard.agent.source.badblocks.BadblocksSource;
import io.daxguard.agent.source.kmsg.FilesystemMessages;
import io.daxguard.agent.source.kmsg.KernelLogSource;
import io.daxguard.agent.source.kmsg.KmsgCursor;
import io.daxguard.agent.source.probe.Handoff;
import io.daxguard.agent.source.probe.SuspectProbe;
import io.daxguard.agent.source.trace.BlockErrorTraceSource;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The automatic failure sources of a running agent and the one ingest queue they feed. Each source is handed the
 * queue as its {@link FailureSink}; the queue hands each coalesced range to the router and waits for it, so the
 * router's own queue never grows: back-pressure reaches the sources. The scrubber feeds the same queue.
 *
 * <p>Adding a source: write one {@link FailureSource} class and add one line to {@link #enabledSources}.
 *
 * <p>The sources are supervised ({@link SourceSupervisor}): a source whose thread ends by itself is started again
 * with a backoff, and every source has a state ({@link #statuses}: RUNNING, RESTARTING, FAILED, STOPPED) that the
 * views show. A source that cannot start (no {@code /dev/kmsg} access) is FAILED with the reason; the agent runs
 * without it.
 *
 * <p>Threads: {@code daxguard-ingest} (the queue), {@code daxguard-source-supervisor} (restarts) and each source's
 * own; all stopped by {@link #close} (the supervisor and the sources first, then the queue, which finishes what is
 * queued within a bound).
 */
public final class FailureSources implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(FailureSources.class.getName());

    /** Told when poison disappeared from a badblocks list (a write cleared it). */
    @FunctionalInterface
    public interface ClearedListener {
        void cleared(DeviceRef device, List<ByteRange> ranges);
    }

    /** How long a source waits for what it handed on to be recorded before it keeps its position (it tries again). */
    private static final long DURABLE_WAIT_SECONDS = 60;
    /** Where the trace source looks for tracefs before mounting it. */
    private static final Path MOUNTS = Path.of("/proc/self/mounts");

    private final IngestQueue queue;
    private final List<FailureSource> sources;
    private final SourceSupervisor supervisor;
    private final FilesystemMessages filesystems;

    /**
     * @param stateDirectory where the kernel log source keeps its position ({@code kmsg.cursor})
     * @param router         where the queue hands each range; it returns once the range is recorded (or failed)
     */
    public FailureSources(SourceSettings settings, Path sysfs, Path stateDirectory, IngestQueue.TupleSink router,
                          Clock clock, ClearedListener clearedListener) {
        this(settings, sysfs, stateDirectory, router, clock, clearedListener, FilesystemMessages.NONE);
    }

    /** @param filesystems what the held filesystems' own kernel log lines report (the kernel log source asks) */
    public FailureSources(SourceSettings settings, Path sysfs, Path stateDirectory, IngestQueue.TupleSink router,
                          Clock clock, ClearedListener clearedListener, FilesystemMessages filesystems) {
        Objects.requireNonNull(settings, "settings is null");
        this.filesystems = Objects.requireNonNull(filesystems, "filesystems is null");
        this.queue = new IngestQueue(settings.queueCapacity(), settings.knownCapacity(), router);
        this.sources = enabledSources(settings, sysfs, stateDirectory, clock, (device, ranges) -> {
            ranges.forEach(range -> queue.forget(device.number(), range.offset(), range.length()));
            clearedListener.cleared(device, ranges);
        });
        this.supervisor = new SourceSupervisor(sources, Backoff.standard(), clock);
    }

    private List<FailureSource> enabledSources(SourceSettings settings, Path sysfs, Path stateDirectory, Clock clock,
                                               BadblocksSource.Cleared cleared) {
        List<FailureSource> enabled = new ArrayList<>();
        // What a probing source waits for before it keeps a position: everything handed on is recorded.
        Handoff handoff = new Handoff(queue, queue::touchesKnown, () -> queue.awaitIdle(DURABLE_WAIT_SECONDS,
                TimeUnit.SECONDS));
        // One probe for both sources: the trace then tells the kernel log source's re-reads from new failures.
        SuspectProbe probe = new SuspectProbe(sysfs, settings.devices());
        LongSupplier tracedSince = () -> Long.MAX_VALUE;
        if (settings.traceEnabled()) {
            BlockErrorTraceSource trace = new BlockErrorTraceSource(settings.tracefs(), MOUNTS, sysfs, probe, handoff,
                    clock);
            enabled.add(trace);
            tracedSince = trace::tracingSinceMicros;
        }
        if (settings.kmsgEnabled()) {
            enabled.add(new KernelLogSource(settings.kmsg(), settings.kmsgReplay(), sysfs, probe, handoff, tracedSince, KmsgCursor.in(stateDirectory.resolve("kmsg.cursor")), clock, filesystems));
        }
        if (settings.badblocksEnabled()) {
            enabled.add(new BadblocksSource(sysfs, settings.badblocksRescan(), queue, cleared, clock));
        }
        return List.copyOf(enabled);
    }

    /** Starts the queue, then each source (on the caller's thread); one that cannot start is FAILED. */
    public void start() {
        queue.start();
        supervisor.start();
    }

    public IngestQueue queue() {
        return queue;
    }

    /** Every enabled source's state, in the order they were enabled. */
    public List<SourceStatus> statuses() {
        return supervisor.statuses();
    }

    /** Hears every later change of a source's state. */
    public void addStateListener(SourceSupervisor.StateListener listener) {
        supervisor.addListener(listener);
    }

    /** What each enabled source counted (records, skipped records, ...), by source name; fixed names. */
    public Map<String, Map<String, Long>> counters() {
        Map<String, Map<String, Long>> counters = new LinkedHashMap<>();
        sources.forEach(source -> counters.put(source.name(), source.counters()));
        return counters;
    }

    @Override
    public void close() {
        supervisor.close();
        queue.close();
    }
}
