package io.daxguard.bench;

import io.daxguard.agent.daemon.AgentSettings;
import io.daxguard.agent.daemon.Agent;
import io.daxguard.agent.plugins.AttachedFilesystem;
import io.daxguard.spi.FailureRange;
import io.daxguard.support.linux.Fiemap;
import io.daxguard.support.linux.NativeFile;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.ScratchFilesystem;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanServerFactory;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Resolve throughput on a real XFS: owners and paths of one 4 KiB range per operation, the agent warm.
 * Run: {@code mvn -Pbench -q package -DskipTests && java -cp "$(cat bench/target/classpath.txt):bench/target/classes" org.openjdk.jmh.Main ResolveBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ResolveBenchmark {
    private static final int FILES = 2000;
    private static final int BLOCK = 4096;

    private ScratchFilesystem xfs;
    private Agent agent;
    private AttachedFilesystem filesystem;
    private long[] offsets;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        xfs = ScratchFilesystem.xfs().sizeMiB(1024).create();
        Random random = new Random(42);
        List<Long> blocks = new ArrayList<>();
        for (int i = 0; i < FILES; i++) {
            Path dir = xfs.path("d" + (i % 50));
            Files.createDirectories(dir);
            Path file = dir.resolve("f" + i);
            byte[] data = new byte[BLOCK * (1 + random.nextInt(16))];
            random.nextBytes(data);
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                channel.write(ByteBuffer.wrap(data));
            }
        }
        Command.run("sync", "-f", xfs.mountPoint().toString());
        for (int i = 0; i < FILES; i += 2) {
            try (NativeFile file = NativeFile.openReadOnly(xfs.path("d" + (i % 50) + "/f" + i))) {
                Fiemap.map(file, 0, Long.MAX_VALUE, 0, Fiemap.DEFAULT_BATCH, extent -> {
                    blocks.add(extent.physical());
                    return false;
                });
            }
        }
        offsets = blocks.stream().mapToLong(Long::longValue).toArray();
        agent = Agent.start(AgentSettings.defaults().withMbeanServer(MBeanServerFactory.newMBeanServer())
                .withWatchedMountPoints(List.of(xfs.mountPoint()))
                .withStateDirectory(java.nio.file.Files.createTempDirectory("daxguard-bench-state-")));
        filesystem = agent.filesystems().atMountPoint(xfs.mountPoint().toString()).orElseThrow();
        agent.owners().resolve(filesystem, FailureRange.of(offsets[0], BLOCK));
    }

    @Benchmark
    public Object resolveOneBlockWithPaths() throws IOException {
        long offset = offsets[next++ % offsets.length];
        return agent.owners().resolve(filesystem, FailureRange.of(offset, BLOCK));
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        try {
            if (agent != null) {
                agent.close();
            }
        } finally {
            xfs.close();
        }
    }
}
