package io.daxguard.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.AgentFiles;
import io.daxguard.agent.config.ConfigLoader;
import io.daxguard.agent.daemon.AgentService;
import io.daxguard.agent.jmx.ObjectNames;
import io.daxguard.agent.source.SourceState;
import io.daxguard.testkit.ScratchFilesystem;
import java.nio.file.Path;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** One failure routed on a real XFS, counted and published under io.daxguard.metrics. */
@Tag("mount")
class AgentMetricsTest {

    @RegisterExtension
    static final ScratchFilesystem XFS = ScratchFilesystem.xfs().build();

    /** Indexed: its index builds are counted. */
    @RegisterExtension
    static final ScratchFilesystem EXT4 = ScratchFilesystem.ext4().build();

    @TempDir
    static Path home;
    private static final MBeanServer SERVER = MBeanServerFactory.newMBeanServer();
    private static AgentService service;

    @BeforeAll
    static void reportOneFailure() throws Exception {
        AgentFiles.writeFile(XFS.path("file.bin"), 16 * 1024, 3);
        service = AgentService.init(ConfigLoader.parse("test", onlyScratch() + "stateDirectory: " + home), home, SERVER);
        service.start();
        long sector = AgentFiles.extents(XFS.path("file.bin")).get(0).physical() / 512;
        SERVER.invoke(ObjectNames.agent(), "reportFailure",
                new Object[] {XFS.device().getFileName().toString(), sector, 1L, 5},
                new String[] {"java.lang.String", "long", "long", "int"});
    }

    /** Hold only this test's filesystems: not the host's, nor other tests' scratch filesystems beside them. */
    private static String onlyScratch() {
        return "watch: [" + XFS.mountPoint() + ", " + EXT4.mountPoint() + "]\n";
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
    }

    private static Object attribute(String name, String type, String attribute) throws Exception {
        return SERVER.getAttribute(new ObjectName(AgentMetrics.DOMAIN + ":name=" + name + ",type=" + type), attribute);
    }

    @Test
    void eachFailureSourceHasAStateGaugeAndARestartsCounter() throws Exception {
        assertThat(attribute("source.kmsg.state", "gauges", "Value")).isEqualTo(SourceState.RUNNING.code());
        assertThat(attribute("source.kmsg.restarts", "counters", "Count")).isEqualTo(0L);
        assertThat(attribute("source.badblocks.unreadableFiles", "gauges", "Value")).isEqualTo(0L);
    }

    @Test
    void indexBuildsAreGaugedByCause() throws Exception {
        assertThat(attribute("index.rebuilds.first", "gauges", "Value")).isEqualTo(1L);
        assertThat(attribute("index.rebuilds.changed", "gauges", "Value")).isEqualTo(0L);
        assertThat(attribute("index.rebuilds.rejected", "gauges", "Value")).isEqualTo(0L);
    }

    @Test
    void theRoutedFailureIsMetered() throws Exception {
        assertThat(attribute("routed", "meters", "Count")).isEqualTo(1L);
    }

    @Test
    void tuplesAreMeteredBySource() throws Exception {
        assertThat(attribute("tuples.jmx", "meters", "Count")).isEqualTo(1L);
    }

    @Test
    void theXfsReverseMapLookupIsTimed() throws Exception {
        assertThat((Long) attribute("reverseMap.xfs", "timers", "Count")).isGreaterThanOrEqualTo(1L);
    }

    @Test
    void theLedgerCommitIsTimed() throws Exception {
        // The report's record is committed before reportFailure returns; other writes may share or add commits.
        assertThat((Long) attribute("ledger.commit", "timers", "Count")).isGreaterThanOrEqualTo(1L);
    }

    @Test
    void openDamageIsAGauge() throws Exception {
        assertThat(attribute("damage.open", "gauges", "Value")).isEqualTo(1L);
    }

    @Test
    void aDurableLedgerSaysSoAsAGauge() throws Exception {
        assertThat(attribute("ledger.durable", "gauges", "Value")).isEqualTo(1);
        assertThat(attribute("ledger.pendingWrites", "gauges", "Value")).isEqualTo(0);
    }

    @Test
    void stoppingUnregistersEveryMBean() throws Exception {
        MBeanServer server = MBeanServerFactory.newMBeanServer();
        // A state directory of its own: the class's agent holds the other one (one agent per state directory).
        AgentService other = AgentService.init(ConfigLoader.parse("test", onlyScratch() + "stateDirectory: "
                + home.resolve("other-state")), home, server);
        other.start();

        other.close();

        assertThat(server.queryNames(new ObjectName("io.daxguard*:*"), null)).isEmpty();
    }
}
