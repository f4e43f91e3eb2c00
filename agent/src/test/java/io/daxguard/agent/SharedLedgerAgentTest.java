package io.daxguard.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.config.ConfigLoader;
import io.daxguard.agent.daemon.AgentService;
import io.daxguard.agent.jmx.ObjectNames;
import io.daxguard.agent.ledger.FleetReader;
import io.daxguard.agent.ledger.HostIdentity;
import io.daxguard.agent.ledger.LedgerDatabase;
import io.daxguard.agent.ledger.PostgresCluster;
import io.daxguard.testkit.ScratchFilesystem;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An agent configured with {@code ledger.url} keeps its damage in the shared PostgreSQL database, stamped with this
 * host, its password taken from the environment as the configuration says; nothing is written to the state directory.
 */
@Tag("mount")
class SharedLedgerAgentTest {
    @RegisterExtension
    static final ScratchFilesystem XFS = ScratchFilesystem.xfs().build();
    @RegisterExtension
    static final PostgresCluster POSTGRES = new PostgresCluster();

    @TempDir
    Path home;

    @Test
    void aFailureReportedToTheAgentIsInTheSharedDatabaseUnderThisHost() throws Exception {
        LedgerDatabase.Postgres database = POSTGRES.newDatabase();
        AgentFiles.writeFile(XFS.path("shared.bin"), 16 * 1024, 5);
        String yaml = "watch: [" + XFS.mountPoint() + "]\nstateDirectory: " + home.resolve("state") + "\n"
                + "ledger:\n  url: " + database.url() + "\n  user: " + PostgresCluster.USER + "\n"
                + "  password: ${LEDGER_PASSWORD}\n  hostName: rack4-box2\n";
        MBeanServer server = MBeanServerFactory.newMBeanServer();
        try (AgentService service = AgentService.init(ConfigLoader.parse("test", yaml,
                Map.of("LEDGER_PASSWORD", POSTGRES.password())), home, server)) {
            service.start();
            assertThat(server.getAttribute(ObjectNames.agent(), "LedgerDurable")).isEqualTo(true);
            long sector = AgentFiles.extents(XFS.path("shared.bin")).get(0).physical() / 512;
            server.invoke(ObjectNames.agent(), "reportFailure",
                    new Object[] {XFS.device().getFileName().toString(), sector, 1L, 5},
                    new String[] {"java.lang.String", "long", "long", "int"});
        }

        try (FleetReader fleet = FleetReader.open(database)) {
            List<FleetReader.HostRecord> records = fleet.records();
            assertThat(records).singleElement().satisfies(row -> {
                assertThat(row.machineId()).isEqualTo(HostIdentity.local().machineId());
                assertThat(row.hostName()).isEqualTo("rack4-box2");
                assertThat(row.record().owners().get(0).paths()).containsExactly("/shared.bin");
            });
        }
        assertThat(home.resolve("state").resolve("ledger.db")).doesNotExist();
    }
}
