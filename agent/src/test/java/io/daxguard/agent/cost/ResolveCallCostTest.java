package io.daxguard.agent.cost;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.AgentFiles;
import io.daxguard.agent.config.ConfigLoader;
import io.daxguard.agent.daemon.AgentService;
import io.daxguard.agent.jmx.ObjectNames;
import io.daxguard.spi.testkit.Command;
import io.daxguard.spi.testkit.ScratchFilesystem;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import javax.management.MBeanServerConnection;
import javax.management.MBeanServerFactory;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import jdk.jfr.Recording;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14: a warm {@code resolve} of one block costs a client at most twice a {@code getAttribute} round trip on the
 * same connection, over the agent's own remote connector (role checks included: the anonymous caller is a monitor),
 * on an ext4 (the index) and an XFS (rmapbt). Medians of many interleaved calls, so a busy machine slows both alike.
 * Also that {@code resolveRanges} answers many blocks for less per block than one call per block. A measurement: it runs
 * only when asked ({@code mvn test -pl agent -am -Dtest=ResolveCallCostTest -DargLine=-Ddaxguard.cost=true}), since the
 * figures follow the machine's load; the 2x bound is not reached yet (2.2x idle, up to 3.9x on a busy machine).
 * With {@code -Ddaxguard.cost.jfr=DIR} the calls are also recorded with JFR (a profile per filesystem).
 */
@Tag("mount")
@EnabledIfSystemProperty(named = "daxguard.cost", matches = "true",
        disabledReason = "a measurement, run on demand: -DargLine=-Ddaxguard.cost=true")
class ResolveCallCostTest {
    private static final int CALLS = 2000;
    /** The bound: within 2x of a getAttribute round trip. */
    private static final double MOST = 2.0;

    @RegisterExtension
    static final ScratchFilesystem EXT4 = ScratchFilesystem.ext4().build();

    @RegisterExtension
    static final ScratchFilesystem XFS = ScratchFilesystem.xfs().build();

    @TempDir
    static Path home;
    private static AgentService service;
    private static JMXConnector client;

    @BeforeAll
    static void startAgent() throws Exception {
        for (ScratchFilesystem filesystem : new ScratchFilesystem[] {EXT4, XFS}) {
            for (int i = 0; i < 50; i++) {
                AgentFiles.writeFile(filesystem.path("file-" + i + ".bin"), 64 * 1024, i);
            }
            Command.run("sync", "-f", filesystem.mountPoint().toString());
        }
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        service = AgentService.init(ConfigLoader.parse("test", """
                watch: ["%s"]
                stateDirectory: %s
                sources: {kmsg: false, trace: false, badblocks: false}
                jmx:
                  remote:
                    enabled: true
                    bindAddress: 127.0.0.1
                    port: %d
                    authenticate: false
                    allowInsecure: true
                    anonymousRole: monitor
                """.formatted(System.getProperty("java.io.tmpdir"), home.resolve("state"), port)), home,
                MBeanServerFactory.newMBeanServer());
        service.start();
        client = JMXConnectorFactory.connect(service.remoteAddress().orElseThrow(), Map.of());
    }

    @AfterAll
    static void stopAgent() throws Exception {
        try {
            if (client != null) {
                client.close();
            }
        } finally {
            if (service != null) {
                service.close();
            }
        }
    }

    private static CallCost.Figures measured(ScratchFilesystem filesystem) throws Exception {
        MBeanServerConnection connection = client.getMBeanServerConnection();
        String mount = filesystem.mountPoint().toString();
        assertThat(connection.invoke(ObjectNames.filesystem(mount), "awaitReverseMap", new Object[] {60},
                new String[] {"int"})).isEqualTo(true);
        long block = AgentFiles.extents(filesystem.path("file-7.bin")).get(0).physical() + 4096;
        String jfr = System.getProperty("daxguard.cost.jfr");
        if (jfr == null) {
            return CallCost.measure(connection, mount, block, CALLS);
        }
        try (Recording recording = new Recording(jdk.jfr.Configuration.getConfiguration("profile"))) {
            recording.start();
            CallCost.Figures figures = CallCost.measure(connection, mount, block, CALLS);
            recording.dump(Path.of(jfr, "resolve-" + filesystem.type() + ".jfr"));
            return figures;
        }
    }

    /** Every 4 KiB block of the 50 files: 800 ranges in one call. */
    private static long[] everyFileBlock(ScratchFilesystem filesystem) throws Exception {
        java.util.List<Long> blocks = new java.util.ArrayList<>();
        for (int i = 0; i < 50; i++) {
            for (var extent : AgentFiles.extents(filesystem.path("file-" + i + ".bin"))) {
                for (long at = extent.physical(); at < extent.physical() + extent.length(); at += 4096) {
                    blocks.add(at);
                }
            }
        }
        return blocks.stream().mapToLong(Long::longValue).toArray();
    }

    /** A batch costs no more per block than one call per block. */
    private static void assertABatchCostsLessPerBlockThanOneCallPerBlock(ScratchFilesystem filesystem)
            throws Exception {
        MBeanServerConnection connection = client.getMBeanServerConnection();
        String mount = filesystem.mountPoint().toString();
        CallCost.Figures single = measured(filesystem);
        CallCost.BatchFigures batch = CallCost.measureBatch(connection, mount, everyFileBlock(filesystem), 20);
        System.out.println(filesystem.type() + ": " + batch + "; " + single);

        assertThat(batch.perRangeMicros()).as("%s; %s", batch, single).isLessThan(single.resolveMicros());
    }

    @Test
    void aBatchOnExt4CostsLessPerBlockThanOneCallPerBlock() throws Exception {
        assertABatchCostsLessPerBlockThanOneCallPerBlock(EXT4);
    }

    @Test
    void aBatchOnXfsCostsLessPerBlockThanOneCallPerBlock() throws Exception {
        assertABatchCostsLessPerBlockThanOneCallPerBlock(XFS);
    }

    /** Issue 14's target, not reached yet: 2.2x (machine idle) to 3.9x (busy) measured. */
    @Test
    void aWarmResolveOfOneExt4BlockCostsAtMostTwiceAGetAttribute() throws Exception {
        CallCost.Figures figures = measured(EXT4);
        System.out.println("ext4: " + figures);

        assertThat(figures.ratio()).as("ext4: %s", figures).isLessThanOrEqualTo(MOST);
    }

    @Test
    void aWarmResolveOfOneXfsBlockCostsAtMostTwiceAGetAttribute() throws Exception {
        CallCost.Figures figures = measured(XFS);
        System.out.println("xfs: " + figures);

        assertThat(figures.ratio()).as("xfs: %s", figures).isLessThanOrEqualTo(MOST);
    }
}
