package io.daxguard.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.daxguard.agent.Agent;
import io.daxguard.agent.AgentFiles;
import io.daxguard.agent.config.ConfigLoader;
import io.daxguard.agent.daemon.AgentService;
import io.daxguard.spi.linux.FiemapExtent;
import io.daxguard.spi.testkit.ScratchFilesystem;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.management.MBeanServerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The daxguard command against an agent reached by URL, on a real XFS. */
@Tag("mount")
class CommandLineTest {
    @RegisterExtension
    static final ScratchFilesystem XFS = ScratchFilesystem.xfs().build();

    @TempDir
    static Path home;
    private static AgentService service;
    private static String url;

    /** What a command printed and returned. */
    record Outcome(int exitCode, String out, String err) {
    }

    @BeforeAll
    static void startAgent() throws Exception {
        AgentFiles.writeFile(XFS.path("damaged.bin"), 64 * 1024, 7);
        AgentFiles.writeFile(XFS.path("healthy.bin"), 16 * 1024, 8);
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        // Authentication is tested with the remote connector; here the command line is under test.
        service = AgentService.init(ConfigLoader.parse("test", """
                stateDirectory: %s
                jmx:
                  remote:
                    enabled: true
                    bindAddress: 127.0.0.1
                    port: %d
                    authenticate: false
                    allowInsecure: true
                """.formatted(home.resolve("state"), port)), home, MBeanServerFactory.newMBeanServer());
        service.start();
        url = service.remoteAddress().orElseThrow().toString();
    }

    @AfterAll
    static void stopAgent() {
        if (service != null) {
            service.close();
        }
    }

    static Outcome daxguard(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = DaxguardCommand.execute(args, new PrintWriter(out), new PrintWriter(err));
        return new Outcome(code, out.toString(), err.toString());
    }

    private static String loop() {
        return XFS.device().getFileName().toString();
    }

    @Test
    void versionPrintsTheVersion() {
        assertThat(daxguard("version")).isEqualTo(new Outcome(0, "daxguard " + Agent.version() + "\n", ""));
    }

    @Test
    void noCommandPrintsTheUsageAndExitsTwo() {
        Outcome outcome = daxguard();

        assertThat(outcome.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(outcome.err()).contains("Usage: daxguard").contains("Exit codes:");
    }

    @Test
    void anUnknownOptionGetsAUsageMessageNotAStackTrace() {
        Outcome outcome = daxguard("status", "--colour");

        assertThat(outcome.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(outcome.err()).contains("Unknown option: '--colour'").contains("Usage: daxguard status")
                .doesNotContain("\tat ");
    }

    @Test
    void aNonNumericSectorGetsAUsageMessage() {
        Outcome outcome = daxguard("report", loop(), "twelve", "1");

        assertThat(outcome.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(outcome.err()).contains("'twelve' is not a long");
    }

    @Test
    void statusNamesEveryFilesystemTheAgentSees() {
        Outcome outcome = daxguard("status", "--url", url);

        assertThat(outcome.out()).startsWith("daxguard ").contains("filesystem: " + XFS.mountPoint());
    }

    @Test
    void reportThenStatusNamesTheDamagedFileAndItsRange() throws Exception {
        FiemapExtent extent = AgentFiles.extents(XFS.path("damaged.bin")).get(0);

        Outcome report = daxguard("report", "--url", url, loop(), String.valueOf(extent.physical() / 512 + 8), "8");
        Outcome status = daxguard("status", "-v", "--url", url);

        assertThat(report.out()).as("%s", report).contains("/damaged.bin");
        assertThat(status.exitCode()).isEqualTo(ExitCode.DAMAGE);
        assertThat(status.out()).contains(XFS.mountPoint() + "/damaged.bin").contains("data bytes 4096-8191");
    }

    @Test
    void statusJsonListsFilesystemsForScripts() throws Exception {
        Outcome outcome = daxguard("status", "--json", "--url", url);

        JsonNode document = new ObjectMapper().readTree(outcome.out());
        assertThat(document.get("filesystems").findValuesAsText("mountPoint")).contains(XFS.mountPoint().toString());
    }

    @Test
    void resolveNamesTheOwnerOfARange() throws Exception {
        FiemapExtent extent = AgentFiles.extents(XFS.path("healthy.bin")).get(0);

        Outcome outcome = daxguard("resolve", "--url", url, XFS.mountPoint().toString(),
                String.valueOf(extent.physical()), "512");

        assertThat(outcome.out()).as("%s", outcome).contains("file /healthy.bin");
    }

    @Test
    void aReportOnAnUnknownDeviceNamesItAndExitsTwo() {
        Outcome outcome = daxguard("report", "--url", url, "nosuchdisk7", "0", "1");

        assertThat(outcome).isEqualTo(new Outcome(ExitCode.USAGE, "",
                "daxguard: reportFailure rejected: device: no block device \"nosuchdisk7\"\n"));
    }

    @Test
    void noAgentAtTheUrlExitsThree() throws Exception {
        int unused;
        try (ServerSocket probe = new ServerSocket(0)) {
            unused = probe.getLocalPort();
        }
        Outcome outcome = daxguard("status", "--url", "service:jmx:rmi:///jndi/rmi://127.0.0.1:" + unused + "/jmxrmi");

        assertThat(outcome.exitCode()).isEqualTo(ExitCode.NO_AGENT);
        assertThat(outcome.err()).startsWith("daxguard: cannot connect to the agent at ");
    }

    @Test
    void runWithAnInvalidConfigurationListsEveryViolationAndExitsFour() throws Exception {
        Path config = home.resolve("bad.yaml");
        Files.writeString(config, "mbeans:\n  filesPerFilesystem: -1\nsources:\n  queueCapacity: 1\n");

        Outcome outcome = daxguard("run", "--config", config.toString());

        assertThat(outcome.exitCode()).isEqualTo(ExitCode.BAD_CONFIG);
        assertThat(outcome.err()).contains("mbeans.filesPerFilesystem: must be greater than or equal to 0 (was -1)")
                .contains("sources.queueCapacity: must be greater than or equal to 16 (was 1)");
    }
}
