package io.daxguard.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.daxguard.agent.daemon.Agent;
import io.daxguard.agent.AgentFiles;
import io.daxguard.agent.config.ConfigLoader;
import io.daxguard.agent.daemon.AgentService;
import io.daxguard.agent.jmx.JmxSurface;
import io.daxguard.agent.jmx.ObjectNames;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.testkit.ScratchFilesystem;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.Notification;
import javax.management.NotificationListener;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The daxguard command against an agent reached by URL, on a real XFS. Damage is reported (the data still reads
 * fine: a verify closes it as VERIFIED_GOOD, a rewrite really writes). Every test that damages a file uses its
 * own file, and every scrub is awaited through the agent's scrub.finished notification, so the tests share one
 * agent in any order.
 */
@Tag("mount")
class CommandLineTest {
    @RegisterExtension
    static final ScratchFilesystem XFS = ScratchFilesystem.xfs().build();

    @TempDir
    static Path home;
    private static final long DAMAGED_OFFSET = 4096;
    private static AgentService service;
    private static MBeanServer server;
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
                watch: ["%s"]
                stateDirectory: %s
                replica:
                  roots: ["%s"]
                jmx:
                  remote:
                    enabled: true
                    bindAddress: 127.0.0.1
                    port: %d
                    authenticate: false
                    allowInsecure: true
                    anonymousRole: control
                mbeans:
                  resolveBytes: 1048576
                """.formatted(System.getProperty("java.io.tmpdir"), home.resolve("state"), System.getProperty("java.io.tmpdir"), port)), home, server = MBeanServerFactory.newMBeanServer());
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

    private static String mount() {
        return XFS.mountPoint().toString();
    }

    /** Writes a file and reports its second page as failed, as the kernel would; returns its DamagedFile MBean. */
    private static ObjectName damagedFile(String name, long seed) throws Exception {
        AgentFiles.writeFile(XFS.path(name), 16 * 1024, seed);
        FiemapExtent extent = AgentFiles.extents(XFS.path(name)).get(0);
        server.invoke(ObjectNames.agent(), "reportFailure",
                new Object[] {loop(), (extent.physical() + DAMAGED_OFFSET) / 512, 8L, 5},
                new String[] {"java.lang.String", "long", "long", "int"});
        return ObjectNames.damagedFile(mount(), "/" + name);
    }

    private static String state(ObjectName damagedFile) throws Exception {
        return io.daxguard.agent.FileStates.of(server, damagedFile);
    }

    /** Runs {@code daxguard scrub start} and waits for the agent's notification that this scrub finished. */
    private static Outcome scrubToTheEnd() throws Exception {
        CompletableFuture<CompositeData> finished = new CompletableFuture<>();
        NotificationListener listener = (Notification notification, Object handback) -> {
            if (notification.getType().equals(JmxSurface.SCRUB_FINISHED)
                    && ((CompositeData) notification.getUserData()).get("mountPoint").equals(mount())) {
                finished.complete((CompositeData) notification.getUserData());
            }
        };
        server.addNotificationListener(ObjectNames.agent(), listener, null, null);
        try {
            Outcome start = daxguard("scrub", "start", "--url", url, mount());
            assertThat(start.exitCode()).as("%s", start).isEqualTo(ExitCode.OK);
            finished.get(120, TimeUnit.SECONDS);
            return start;
        } finally {
            server.removeNotificationListener(ObjectNames.agent(), listener);
        }
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
    void statusShowsEachFailureSourceAndItsState() {
        Outcome outcome = daxguard("status", "--url", url);

        assertThat(outcome.out()).as("%s", outcome).contains("\n     sources:\n")
                .containsPattern("\n {8}kmsg +RUNNING +since ").containsPattern("\n {8}badblocks +RUNNING +since ");
    }

    @Test
    void statusJsonGivesEachFailureSourceItsState() throws Exception {
        Outcome outcome = daxguard("status", "--json", "--url", url);

        JsonNode sources = new ObjectMapper().readTree(outcome.out()).get("sources");
        assertThat(sources.findValuesAsText("name")).containsExactly("trace", "kmsg", "badblocks");
        assertThat(sources.findValuesAsText("state")).containsExactly("RUNNING", "RUNNING", "RUNNING");
        assertThat(sources.get(0).get("restarts").asInt()).isZero();
    }

    @Test
    void resolveNamesTheOwnerOfARange() throws Exception {
        FiemapExtent extent = AgentFiles.extents(XFS.path("healthy.bin")).get(0);

        Outcome outcome = daxguard("resolve", "--url", url, XFS.mountPoint().toString(),
                String.valueOf(extent.physical()), "512");

        assertThat(outcome.out()).as("%s", outcome).contains("file /healthy.bin");
    }

    @Test
    void resolveOfARangeLargerThanTheAgentsLimitPrintsItPageByPage() throws Exception {
        AgentFiles.writeFile(XFS.path("paged.bin"), 3 << 20, 9);
        FiemapExtent extent = AgentFiles.extents(XFS.path("paged.bin")).get(0);
        assertThat(extent.length()).as("one extent").isEqualTo(3L << 20);

        Outcome outcome = daxguard("resolve", "--url", url, mount(), String.valueOf(extent.physical()),
                String.valueOf(extent.length()));

        assertThat(outcome.exitCode()).as("%s", outcome).isEqualTo(ExitCode.OK);
        assertThat(outcome.out().lines().filter(line -> line.contains("file /paged.bin")))
                .as("one owner per 1 MiB page").hasSize(3)
                .anySatisfy(line -> assertThat(line).contains("offset 0"))
                .anySatisfy(line -> assertThat(line).contains("offset 1048576"))
                .anySatisfy(line -> assertThat(line).contains("offset 2097152"));
    }

    @Test
    void resolveSummaryPrintsCountsPerKindOfOwnerAndOnlyTheFirstOwners() {
        Outcome outcome = daxguard("resolve", "--summary", "--first", "2", "--url", url, mount(), "0",
                String.valueOf(8L << 20));

        assertThat(outcome.out()).as("%s", outcome).contains("in 8 page(s)").contains("\nfirst 2:\n")
                .containsPattern("\n  metadata [^:]+: \\d+ owner\\(s\\), \\d+ bytes\n");
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

    private static int freePort() throws java.io.IOException {
        try (ServerSocket probe = new ServerSocket(0)) {
            return probe.getLocalPort();
        }
    }

    /** A file the configuration names that cannot be used is a configuration problem: exit 4, not restarted. */
    @Test
    void runWhoseConfiguredPasswordFileIsMissingExitsFourNamingTheField() throws Exception {
        Path config = home.resolve("no-password-file.yaml");
        Files.writeString(config, """
                stateDirectory: %s
                watch: ["%s"]
                sources: {trace: false, kmsg: false, badblocks: false}
                metrics:
                  prometheus: {enabled: true, port: %d, passwordFile: %s}
                """.formatted(home.resolve("state-no-password"), home.resolve("nothing-watched"),
                freePort(), home.resolve("absent.password")));

        Outcome outcome = daxguard("run", "--config", config.toString());

        assertThat(outcome.exitCode()).as("%s", outcome).isEqualTo(ExitCode.BAD_CONFIG);
        assertThat(outcome.err()).contains("metrics.prometheus.passwordFile: " + home.resolve("absent.password"));
    }

    @Test
    void scrubStartThenScrubStatusShowsTheScrubFinishedWithEveryByteRead() throws Exception {
        scrubToTheEnd();

        Outcome status = daxguard("scrub", "status", "--url", url, mount());

        assertThat(status.out()).as("%s", status).startsWith("scrub FINISHED").contains("] 100.0%")
                .contains("0 bad range(s)");
    }

    @Test
    void statusShowsTheScrubUnderTheFilesystem() throws Exception {
        scrubToTheEnd();

        Outcome status = daxguard("status", "--url", url);

        assertThat(status.out()).as("%s", status)
                .containsPattern("filesystem: " + java.util.regex.Pattern.quote(mount())
                        + "\\n(.*\\n){2}       scrub: FINISHED +\\[#+\\] 100\\.0%");
    }

    @Test
    void statusJsonShowsTheScrubProgress() throws Exception {
        scrubToTheEnd();

        JsonNode scrub = xfsInJson().get("scrub");

        assertThat(scrub.get("state").asText() + " " + scrub.get("progress").asDouble() + " "
                + (scrub.get("bytesDone").asLong() == scrub.get("bytesTotal").asLong())).isEqualTo("FINISHED 1.0 true");
    }

    private static JsonNode xfsInJson() throws Exception {
        Outcome outcome = daxguard("status", "--json", "--url", url);
        JsonNode filesystems = outcome.out().isEmpty() ? null
                : new ObjectMapper().readTree(outcome.out()).get("filesystems");
        if (filesystems == null) {
            throw new AssertionError("no filesystems in " + outcome);
        }
        for (JsonNode filesystem : filesystems) {
            if (filesystem.get("mountPoint").asText().equals(mount())) {
                return filesystem;
            }
        }
        throw new AssertionError("no " + mount() + " in " + outcome);
    }

    @Test
    void statusWithoutVerboseNamesEveryLinkOfADamagedFileButNoRange() throws Exception {
        AgentFiles.writeFile(XFS.path("linked.bin"), 16 * 1024, 21);
        java.nio.file.Files.createLink(XFS.path("second-name.bin"), XFS.path("linked.bin"));
        FiemapExtent extent = AgentFiles.extents(XFS.path("linked.bin")).get(0);
        server.invoke(ObjectNames.agent(), "reportFailure",
                new Object[] {loop(), (extent.physical() + DAMAGED_OFFSET) / 512, 8L, 5},
                new String[] {"java.lang.String", "long", "long", "int"});

        Outcome summary = daxguard("status", "--url", url);
        Outcome verbose = daxguard("status", "-v", "--url", url);

        assertThat(summary.out()).as("%s", summary).contains("also " + mount() + "/second-name.bin")
                .doesNotContain("data bytes " + DAMAGED_OFFSET + "-");
        assertThat(verbose.out()).contains("also " + mount() + "/second-name.bin")
                .contains("data bytes " + DAMAGED_OFFSET + "-");
    }

    @Test
    void statusJsonShowsADamagedFilesHistory() throws Exception {
        damagedFile("history.bin", 14);
        Files.move(XFS.path("history.bin"), XFS.path("history-renamed.bin"));

        JsonNode file = xfsInJson().get("damagedFiles").findParents("path").stream()
                .filter(entry -> entry.get("path").asText().equals("/history-renamed.bin")).findFirst().orElseThrow();

        assertThat(file.get("history").toString()).contains("renamed: was /history.bin");
    }

    @Test
    void statusJsonListsOnlyFilesWithOpenDamageAndTheFilesystemListingKeepsAQuarantinedFileClosedWithoutAnMBean()
            throws Exception {
        damagedFile("moved.bin", 20);
        daxguard("quarantine", "--url", url, mount(), "/moved.bin");

        assertThat(xfsInJson().get("damagedFiles").findValuesAsText("path")).noneMatch(path -> path.endsWith("moved.bin"));
        CompositeData listed = java.util.Arrays.stream((CompositeData[]) server.invoke(ObjectNames.filesystem(mount()),
                "listDamagedFiles", new Object[] {0, 1000}, new String[] {"int", "int"}))
                .filter(entry -> ((String) entry.get("path")).endsWith("-moved.bin")).findFirst().orElseThrow();
        assertThat(listed.get("state") + " [" + listed.get("objectName") + "]").isEqualTo("QUARANTINED []");
    }

    @Test
    void quarantineReleasePutsTheFileBackByItsQuarantineName() throws Exception {
        damagedFile("released.bin", 21);
        long inode = (Long) java.nio.file.Files.getAttribute(XFS.path("released.bin"), "unix:ino");
        daxguard("quarantine", "--url", url, mount(), "/released.bin");
        String name;
        try (var names = java.nio.file.Files.list(XFS.path(".daxguard-quarantine"))) {
            name = names.map(path -> path.getFileName().toString()).filter(file -> file.endsWith("-released.bin"))
                    .findFirst().orElseThrow();
        }

        Outcome release = daxguard("quarantine", "--release", "--url", url, mount(), name);

        assertThat(release.exitCode()).as("%s", release).isZero();
        assertThat(release.out()).contains("back to " + mount() + "/released.bin");
        assertThat((Long) java.nio.file.Files.getAttribute(XFS.path("released.bin"), "unix:ino")).isEqualTo(inode);
    }

    @Test
    void policyTestSaysAFilesystemWithoutAPolicyIsManualAndDoesNothing() throws Exception {
        AgentFiles.writeFile(XFS.path("planned.bin"), 4096, 22);

        Outcome plan = daxguard("policy", "test", "--url", url, mount(), "/planned.bin");

        assertThat(plan.exitCode()).as("%s", plan).isZero();
        assertThat(plan.out()).contains("policy: none: manual").contains("dry run: nothing was written, moved or "
                + "signalled");
    }

    @Test
    void verifyClosesADamagedRangeThatReadsCleanAsVerifiedGood() throws Exception {
        ObjectName file = damagedFile("verify.bin", 11);

        Outcome verify = daxguard("verify", "--url", url, mount(), "/verify.bin");

        assertThat(state(file)).as("%s", verify).isEqualTo("VERIFIED_GOOD");
    }

    @Test
    void verifyPrintsTheFilesNewState() throws Exception {
        damagedFile("verify-output.bin", 15);

        Outcome verify = daxguard("verify", "--url", url, mount(), mount() + "/verify-output.bin");

        assertThat(verify.out()).as("%s", verify).endsWith("state: VERIFIED_GOOD\n");
    }

    @Test
    void rewriteConfirmedClosesTheFileAsRewritten() throws Exception {
        ObjectName file = damagedFile("rewrite.bin", 12);

        Outcome rewrite = daxguard("rewrite", "--confirm", "--force", "--url", url, mount(), "/rewrite.bin");

        assertThat(state(file)).as("%s", rewrite).isEqualTo("REWRITTEN");
    }

    @Test
    void rewriteZeroesTheDamagedPage() throws Exception {
        damagedFile("zeroed.bin", 16);

        daxguard("rewrite", "--confirm", "--force", "--url", url, mount(), "/zeroed.bin");

        byte[] bytes = Files.readAllBytes(XFS.path("zeroed.bin"));
        assertThat(java.util.Arrays.copyOfRange(bytes, (int) DAMAGED_OFFSET, (int) DAMAGED_OFFSET + 4096))
                .containsOnly(0);
    }

    /** The disk reads the reported page fine: without --force the rewrite is refused and the data stays. */
    @Test
    void rewriteWithoutForceOfARangeThatReadsCleanIsRefused() throws Exception {
        ObjectName file = damagedFile("reads-clean.bin", 19);

        Outcome rewrite = daxguard("rewrite", "--confirm", "--url", url, mount(), "/reads-clean.bin");

        assertThat(rewrite.exitCode() + " " + state(file)).as("%s", rewrite).isEqualTo(ExitCode.FAILED + " OPEN");
        assertThat(rewrite.err()).contains("read clean now");
    }

    @Test
    void rewriteWithoutConfirmIsAUsageErrorAndWritesNothing() throws Exception {
        ObjectName file = damagedFile("unconfirmed.bin", 17);

        Outcome rewrite = daxguard("rewrite", "--url", url, mount(), "/unconfirmed.bin");

        assertThat(rewrite.exitCode() + " " + state(file)).as("%s", rewrite).isEqualTo(ExitCode.USAGE + " OPEN");
    }

    @Test
    void acknowledgeClosesTheFileAsAcknowledged() throws Exception {
        ObjectName file = damagedFile("acknowledge.bin", 13);

        Outcome acknowledge = daxguard("acknowledge", "--url", url, mount(), "/acknowledge.bin", "test data, no copy");

        assertThat(state(file)).as("%s", acknowledge).isEqualTo("ACKNOWLEDGED");
    }

    @Test
    void restoreFromAReplicaClosesTheFileAsRestored() throws Exception {
        ObjectName file = damagedFile("restore.bin", 18);
        AgentFiles.writeFile(XFS.path("replica-of-restore.bin"), 16 * 1024, 18);

        Outcome restore = daxguard("restore", "--force", "--url", url, mount(), "/restore.bin",
                XFS.path("replica-of-restore.bin").toString());

        assertThat(state(file)).as("%s", restore).isEqualTo("RESTORED");
    }

    @Test
    void quarantineClosesTheFileAsQuarantined() throws Exception {
        damagedFile("quarantine.bin", 19);

        Outcome quarantine = daxguard("quarantine", "--url", url, mount(), "/quarantine.bin");

        // The file was moved (the record follows it) and its damage closed: its MBean is gone, the answer says so.
        assertThat(quarantine.out()).as("%s", quarantine).endsWith("state: QUARANTINED\n");
    }

    @Test
    void anOperationOnAFileWithoutDamageSaysSoAndExitsOne() {
        Outcome verify = daxguard("verify", "--url", url, mount(), "/healthy.bin");

        assertThat(verify).isEqualTo(new Outcome(ExitCode.FAILED, "", "daxguard: the agent has no damaged file "
                + "/healthy.bin on " + mount() + " (`daxguard status` lists the damaged files)\n"));
    }

    /**
     * No scrub is running between tests (each awaits its own), so the agent's own operation refuses and says why;
     * a wrong operation name or signature would fail differently ("does not support that operation").
     */
    @ParameterizedTest
    @ValueSource(strings = {"pause", "resume", "cancel"})
    void scrubControlOfAScrubNotRunningExitsOneWithTheAgentsReason(String action) {
        Outcome outcome = daxguard("scrub", action, "--url", url, mount());

        assertThat(outcome.exitCode() + " " + outcome.err()).startsWith(ExitCode.FAILED + " daxguard: ")
                .contains("scrub of " + mount());
    }

    /** {@code --json}: every command that prints data prints one JSON object per line for scripts. */
    @org.junit.jupiter.api.Nested
    class JsonOutput {
        private final ObjectMapper mapper = new ObjectMapper();

        private JsonNode onlyLine(Outcome outcome) throws Exception {
            assertThat(outcome.exitCode()).as("%s", outcome).isZero();
            assertThat(outcome.out().lines()).as("%s", outcome).hasSize(1);
            return mapper.readTree(outcome.out());
        }

        @Test
        void everyCommandThatPrintsDataTakesJson() {
            // Not data: the agent itself, the demo, help, the completion script, "policy" and "fleet" (groups).
            java.util.Set<String> notData = java.util.Set.of("run", "demo", "help", "completion", "policy", "fleet");
            picocli.CommandLine commandLine = new picocli.CommandLine(DaxguardCommand.class);
            java.util.List<picocli.CommandLine> commands = new java.util.ArrayList<>();
            commandLine.getSubcommands().forEach((name, command) -> {
                if (!notData.contains(name)) {
                    commands.add(command);
                }
                commands.addAll(command.getSubcommands().values());
            });

            assertThat(commands).isNotEmpty().allSatisfy(command -> assertThat(command.getCommandSpec()
                    .findOption("--json")).as(command.getCommandSpec().qualifiedName()).isNotNull());
        }

        @Test
        void versionJsonIsOneObject() throws Exception {
            assertThat(onlyLine(daxguard("version", "--json")).get("version").asText()).isEqualTo(Agent.version());
        }

        @Test
        void resolveJsonPrintsOneObjectPerOwnerWithItsPaths() throws Exception {
            AgentFiles.writeFile(XFS.path("resolve-json.bin"), 4096, 33);
            FiemapExtent extent = AgentFiles.extents(XFS.path("resolve-json.bin")).get(0);

            JsonNode owner = onlyLine(daxguard("resolve", "--json", "--url", url, mount(),
                    String.valueOf(extent.physical()), "512"));

            assertThat(owner.get("paths").get(0).asText()).isEqualTo("/resolve-json.bin");
            assertThat(owner.get("filesystemOffset").asLong()).isEqualTo(extent.physical());
        }

        @Test
        void reportJsonEchoesTheReportAndTheAgentsAnswer() throws Exception {
            JsonNode report = onlyLine(daxguard("report", "--json", "--url", url, loop(), "0", "1"));

            assertThat(report.get("device").asText()).isEqualTo(loop());
            assertThat(report.get("answer").asText()).isNotEmpty();
        }

        @Test
        void verifyJsonGivesTheAnswerAndTheFilesNewState() throws Exception {
            damagedFile("verify-json.bin", 31);

            JsonNode verify = onlyLine(daxguard("verify", "--json", "--url", url, mount(), "/verify-json.bin"));

            assertThat(verify.get("path").asText()).isEqualTo("/verify-json.bin");
            assertThat(verify.get("state").asText()).isEqualTo("VERIFIED_GOOD");
            assertThat(verify.get("inode").asLong()).isPositive();
        }

        @Test
        void policyTestJsonGivesThePlan() throws Exception {
            AgentFiles.writeFile(XFS.path("planned-json.bin"), 4096, 32);

            JsonNode plan = onlyLine(daxguard("policy", "test", "--json", "--url", url, mount(), "/planned-json.bin"));

            assertThat(plan.get("plan").asText()).contains("policy: none: manual");
        }

        @Test
        void scrubStatusJsonGivesTheScrubsState() throws Exception {
            JsonNode scrub = onlyLine(daxguard("scrub", "status", "--json", "--url", url, mount()));

            assertThat(scrub.get("state").asText()).isNotEmpty();
        }
    }
}
