package io.daxguard.agent.source.badblocks;

import io.daxguard.agent.failure.DeviceRef;
import io.daxguard.agent.failure.DeviceResolver;
import io.daxguard.agent.failure.FailureSink;
import io.daxguard.agent.failure.FailureSource;
import io.daxguard.agent.failure.FailureTuple;
import io.daxguard.agent.ranges.ByteRange;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The badblocks lists as a failure source: ranges that appear in {@code <sysfs>/block/*}{@code /badblocks} become
 * media errors (source {@code badblocks}); ranges that disappear (a write cleared the poison) are told to the
 * {@link Cleared} listener. The first scan, at {@link #start}, reports everything listed already: that is the
 * start-up reconciliation (damage found while the agent was down is recorded; known damage is recognised by the
 * router).
 *
 * <p>A device whose number cannot be read any more (its directory vanished between the list and the number) is
 * logged by the watcher and its ranges reported again at the next scan: recorded if the device is back.
 *
 * <p>Thread: the {@link BadblocksWatcher}'s, owned through this object.
 */
public final class BadblocksSource implements FailureSource {
    private static final System.Logger LOG = System.getLogger(BadblocksSource.class.getName());

    /** Told when poison disappeared from a badblocks list. */
    @FunctionalInterface
    public interface Cleared {
        void cleared(DeviceRef device, List<ByteRange> ranges);
    }

    private final BadblocksWatcher watcher;

    public BadblocksSource(Path sysfs, Duration rescan, FailureSink sink, Cleared cleared, Clock clock) {
        DeviceResolver resolver = new DeviceResolver(sysfs);
        this.watcher = new BadblocksWatcher(sysfs, rescan, new BadblocksWatcher.Listener() {
            @Override
            public void added(String device, List<ByteRange> ranges) throws InterruptedException {
                // A device gone between its list and its number throws: the watcher reports these ranges again at
                // its next scan, so they are recorded if the device is back, and dropped with its list if not.
                DeviceRef ref = resolver.ofKernelName(device);
                for (ByteRange range : ranges) {
                    sink.submit(FailureTuple.mediaError(ref, range, "badblocks", clock.instant()));
                }
            }

            @Override
            public void cleared(String device, List<ByteRange> ranges) {
                try {
                    cleared.cleared(resolver.ofKernelName(device), ranges);
                } catch (IllegalArgumentException gone) {
                    LOG.log(System.Logger.Level.INFO, "poison cleared on " + device + ", which is gone: " + ranges);
                }
            }
        });
    }

    @Override
    public String name() {
        return "badblocks";
    }

    @Override
    public void start(ThreadEnded ended) throws IOException, InterruptedException {
        watcher.start(ended);
    }

    @Override
    public Map<String, Long> counters() {
        Map<String, Long> counters = new LinkedHashMap<>();
        counters.put("scans", watcher.scans());
        counters.put("malformedLines", watcher.malformedLines());
        counters.put("unreadableFiles", watcher.unreadableFiles());
        counters.put("unreported", watcher.unreported());
        return counters;
    }

    /** The watcher, for its counters and an immediate scan. */
    public BadblocksWatcher watcher() {
        return watcher;
    }

    @Override
    public void close() {
        watcher.close();
    }
}
