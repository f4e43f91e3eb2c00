package io.daxguard.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.Timer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.daxguard.agent.ledger.AffectedOwner;
import io.daxguard.agent.ledger.Damage;
import io.daxguard.agent.ledger.FilesystemRef;
import io.daxguard.agent.ledger.HostIdentity;
import io.daxguard.agent.ledger.LedgerDatabase;
import io.daxguard.agent.ledger.LedgerSettings;
import io.daxguard.agent.ledger.PostgresCluster;
import io.daxguard.agent.ledger.SqliteDamageLedger;
import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.Fork;
import io.daxguard.spi.MetadataOwner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code daxguard fleet status} reading a real PostgreSQL ledger two hosts wrote, with no agent running. */
class FleetStatusCommandTest {
    @RegisterExtension
    static final PostgresCluster POSTGRES = new PostgresCluster();
    private static final Instant AT = Instant.parse("2026-12-03T10:00:00Z");
    private static LedgerDatabase.Postgres database;

    @TempDir
    Path home;

    @BeforeAll
    static void twoHostsRecordDamage() {
        database = POSTGRES.newDatabase();
        FilesystemRef a = new FilesystemRef("uuid-a", new DeviceNumber(259, 1), "/srv/a", "xfs");
        FilesystemRef b = new FilesystemRef("uuid-b", new DeviceNumber(259, 2), "/srv/b", "ext4");
        record(new HostIdentity("a".repeat(32), "box-a"), new Damage(a.device(), "nvme0n1p1", 8192, 4096, 5, "kmsg", AT,
                List.of(new AffectedOwner(a, new FileOwner(131, 7, Fork.DATA, 0, 8192, 4096, false, false),
                        List.of("/srv/a/projects/report.pdf"))), "", 0));
        record(new HostIdentity("b".repeat(32), "box-b"), new Damage(b.device(), "nvme0n1p2", 0, 512, 5, "scrub", AT,
                List.of(new AffectedOwner(b, new MetadataOwner("ext4.inode_table", "inode table", "e2fsck", 0, 512),
                        List.of())), "", 0));
    }

    private static void record(HostIdentity host, Damage damage) {
        try (SqliteDamageLedger ledger = SqliteDamageLedger.open(database, host, LedgerSettings.defaults(),
                Clock.systemUTC(), new Timer())) {
            ledger.record(damage);
        }
    }

    private Path configuration() throws Exception {
        Path config = home.resolve("daxguard.yaml");
        Files.writeString(config, "ledger:\n  url: " + database.url() + "\n  user: " + PostgresCluster.USER
                + "\n  password: " + POSTGRES.password() + "\n");
        return config;
    }

    @Test
    void listsEveryHostsDamageWithItsFilesystemFileAndState() throws Exception {
        CommandLineTest.Outcome outcome = CommandLineTest.daxguard("fleet", "status", "--config", configuration().toString());

        assertThat(outcome.exitCode()).as("%s", outcome).isEqualTo(ExitCode.DAMAGE);
        assertThat(outcome.out().lines().toList()).containsExactly(
                "HOST   FILESYSTEM       FILE                        STATE  RECORD",
                "box-a  /srv/a (uuid-a)  /srv/a/projects/report.pdf  OPEN   1",
                "box-b  /srv/b (uuid-b)  metadata ext4.inode_table   OPEN   1",
                "2 record(s) of 2 host(s)");
    }

    @Test
    void jsonIsOneObjectPerHostRecordAndOwner() throws Exception {
        CommandLineTest.Outcome outcome = CommandLineTest.daxguard("fleet", "status", "--json", "--config",
                configuration().toString());

        List<JsonNode> rows = outcome.out().lines().map(FleetStatusCommandTest::json).toList();
        assertThat(rows).extracting(row -> row.get("host").asText()).containsExactly("box-a", "box-b");
        assertThat(rows.get(0).get("paths").get(0).asText()).isEqualTo("/srv/a/projects/report.pdf");
        assertThat(rows.get(1).get("machineId").asText()).isEqualTo("b".repeat(32));
    }

    @Test
    void aWrongPasswordIsOneLineNamingTheDatabase() {
        CommandLineTest.Outcome outcome = CommandLineTest.daxguard("fleet", "status", "--url", database.url(),
                "--user", PostgresCluster.USER);

        assertThat(outcome.exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(outcome.err().lines()).singleElement().asString()
                .startsWith("daxguard: cannot read the ledger " + database.url());
    }

    @Test
    void eventsOfASharedLedgerConfigurationPointToFleetStatus() throws Exception {
        CommandLineTest.Outcome outcome = CommandLineTest.daxguard("events", "--config", configuration().toString());

        assertThat(outcome.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(outcome.err()).contains("is shared (ledger.url " + database.url() + ")")
                .contains("daxguard fleet status --config");
    }

    private static JsonNode json(String line) {
        try {
            return new ObjectMapper().readTree(line);
        } catch (Exception e) {
            throw new AssertionError(line, e);
        }
    }
}
