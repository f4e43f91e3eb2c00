package io.daxguard.bench;

import io.daxguard.agent.failure.DeviceRef;
import io.daxguard.agent.failure.FailureTuple;
import io.daxguard.agent.source.IngestQueue;
import io.daxguard.agent.route.RoutedRange;
import io.daxguard.agent.route.Router;
import io.daxguard.agent.topology.BlockDevice;
import io.daxguard.agent.topology.Topology;
import io.daxguard.spi.DeviceNumber;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Ingest throughput: a storm of 1,000,000 one-sector tuples scattered over one 1 TiB disk with two partitions,
 * through the bounded queue (coalescing, known-damage filter) and routing (partition cut and translation). Holders
 * are stubbed out here only: the sink routes and consumes, it does not reverse-map. One operation is one
 * tuple. Run with a small heap to show the storm does not grow memory:
 * {@code java -Xmx64m -cp "$(cat bench/target/classpath.txt):bench/target/classes" org.openjdk.jmh.Main IngestBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx64m"})
@Warmup(iterations = 2)
@Measurement(iterations = 5)
public class IngestBenchmark {
    static final int STORM = 1_000_000;
    private static final long DISK = 1L << 40;
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    /** Scattered: random sectors over the whole disk. Clustered: random sectors in a 64 MiB window (they coalesce). */
    @Param({"scattered", "clustered"})
    public String pattern;

    private Topology topology;
    private BlockDevice disk;
    private IngestQueue queue;
    private Blackhole sink;
    private long seed = 1;

    private static final DeviceRef SDX = new DeviceRef(new DeviceNumber(8, 16), "sdx");

    @Setup(Level.Trial)
    public void setUp(Blackhole blackhole) {
        disk = new BlockDevice("sdx", new DeviceNumber(8, 16), DISK, Optional.empty(), 0, Optional.empty());
        BlockDevice first = new BlockDevice("sdx1", new DeviceNumber(8, 17), DISK / 2 - (1 << 20), Optional.of("sdx"),
                1 << 20, Optional.empty());
        BlockDevice second = new BlockDevice("sdx2", new DeviceNumber(8, 18), DISK / 2, Optional.of("sdx"), DISK / 2,
                Optional.empty());
        topology = new Topology(List.of(disk, first, second), List.of());
        sink = blackhole;
    }

    @Setup(Level.Iteration)
    public void newQueue() {
        queue = new IngestQueue(65_536, 100_000, this::route);
        queue.start();
    }

    @TearDown(Level.Iteration)
    public void closeQueue() {
        queue.close();
    }

    private void route(FailureTuple tuple) {
        BlockDevice device = topology.byNumber(tuple.device().number()).orElseThrow();
        for (RoutedRange piece : Router.route(topology, device, tuple.offset(), tuple.length())) {
            sink.consume(piece);
        }
    }

    @Benchmark
    @OperationsPerInvocation(STORM)
    public void storm() throws InterruptedException {
        long window = pattern.equals("scattered") ? DISK / 512 : (64L << 20) / 512;
        long base = pattern.equals("scattered") ? 0 : Long.remainderUnsigned(seed, 1000) * (1L << 30);
        for (int i = 0; i < STORM; i++) {
            seed = seed * 6364136223846793005L + 1442695040888963407L;
            long sector = base / 512 + Long.remainderUnsigned(seed >>> 11, window);
            queue.submit(new FailureTuple(SDX, sector * 512, 512, 5, Set.of(), "bench", NOW));
        }
        if (!queue.awaitIdle(10, TimeUnit.MINUTES)) {
            throw new IllegalStateException("the queue did not drain");
        }
    }
}
