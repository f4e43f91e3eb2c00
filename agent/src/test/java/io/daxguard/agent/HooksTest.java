package io.daxguard.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.daxguard.agent.hooks.HookSettings;
import io.daxguard.agent.hooks.HooksSettings;
import io.daxguard.agent.jmx.ObjectNames;
import io.daxguard.agent.ledger.AuditEntry;
import io.daxguard.agent.ledger.DamageRecord;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.testkit.ScratchFilesystem;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Hooks on a real agent: damage reported on a file of a real XFS reaches each hook as its environment and as JSON on
 * its input, with nothing of the agent's environment; each run's exit status and standard error are audited as
 * {@code hook:<program>} on the damaged file; a program that became unsafe after start is refused at its next run.
 */
@Tag("mount")
class HooksTest {
    private static final Duration BOUND = Duration.ofSeconds(60); // against hanging only
    private static final String FILE_DAMAGED = "io.daxguard.file.damaged";
    private static final String ACTION_AUDITED = "io.daxguard.action.audited";

    @RegisterExtension
    static final ScratchFilesystem XFS = ScratchFilesystem.xfs().build();

    @RegisterExtension
    static final HookDirectory HOOKS = new HookDirectory();

    @RegisterExtension
    @Order(Integer.MAX_VALUE)
    static final RunningAgent AGENT = RunningAgent.startedAfter(HooksTest::writeHooks, settings -> settings.withHooks(
            new HooksSettings(List.of(
                    hook(0, "record.sh", Set.of()),
                    hook(1, "fail.sh", Set.of(FILE_DAMAGED)),
                    hook(2, "changing.sh", Set.of(FILE_DAMAGED)),
                    hook(3, "actions.sh", Set.of(ACTION_AUDITED))), 4, 64)));

    private static HookSettings hook(int index, String name, Set<String> events) {
        return new HookSettings("notify.exec[" + index + "]", HOOKS.file(name), events, Duration.ofSeconds(30));
    }

    private static void writeHooks() throws Exception {
        // Every event: its environment and its input, kept under the event's sequence number.
        HOOKS.script("record.sh", "env -0 > \"$DIR/env.$DAXGUARD_SEQUENCE\"\ncat > \"$DIR/json.$DAXGUARD_SEQUENCE\"");
        HOOKS.script("fail.sh", "echo \"cannot mail about $DAXGUARD_PATH\" >&2\nexit 3");
        HOOKS.script("changing.sh", "exit 0");
        HOOKS.script("actions.sh", "echo \"$DAXGUARD_PRINCIPAL|$DAXGUARD_ACTION|$DAXGUARD_PATH\" >> \"$DIR/actions.log\"");
    }

    @BeforeAll
    static void followRuns() {
        AGENT.agent().hooks().onAudited(HOOKS::audited);
    }

    /** Writes {@code name}, reports its second block failed with EIO; returns the record. */
    private static DamageRecord damage(String name, long seed) throws Exception {
        AgentFixture.writeFile(XFS.path(name), 64 * 1024, seed);
        FiemapExtent extent = AgentFixture.extents(XFS.path(name)).get(0);
        AgentCalls.reportFailure(AGENT.remote(), XFS.device().getFileName().toString(),
                (extent.physical() + 4096) / 512, 1L, 5);
        return AGENT.agent().ledger().records().stream()
                .filter(record -> record.owners().stream().anyMatch(owner -> owner.paths().contains("/" + name)))
                .reduce((first, second) -> second).orElseThrow();
    }

    private static AuditEntry runOf(String program, String path) throws InterruptedException {
        return HOOKS.awaitRun(run -> run.principal().equals("hook:" + HOOKS.file(program))
                && run.action().equals("hook " + FILE_DAMAGED) && run.path().equals(path), BOUND);
    }

    /** The environment record.sh kept for the file.damaged event of {@code path}. */
    private static Map<String, String> environmentFor(String path) throws Exception {
        runOf("record.sh", path);
        try (var files = Files.list(HOOKS.path())) {
            for (Path file : files.filter(f -> f.getFileName().toString().startsWith("env.")).toList()) {
                Map<String, String> environment = parse(Files.readAllBytes(file));
                if (FILE_DAMAGED.equals(environment.get("DAXGUARD_EVENT"))
                        && path.equals(environment.get("DAXGUARD_PATH"))) {
                    environment.put("(sequence file)", file.getFileName().toString().substring("env.".length()));
                    return environment;
                }
            }
        }
        throw new AssertionError("record.sh kept no environment for " + path);
    }

    private static Map<String, String> parse(byte[] nulSeparated) {
        Map<String, String> environment = new HashMap<>();
        for (String entry : new String(nulSeparated, StandardCharsets.UTF_8).split("\0")) {
            int equals = entry.indexOf('=');
            if (equals > 0) {
                environment.put(entry.substring(0, equals), entry.substring(equals + 1));
            }
        }
        return environment;
    }

    @Test
    void aHookIsGivenTheDamagesFieldsInItsEnvironment() throws Exception {
        DamageRecord record = damage("env.bin", 1);

        Map<String, String> environment = environmentFor("/env.bin");

        assertThat(environment).contains(
                Map.entry("DAXGUARD_EVENT", FILE_DAMAGED),
                Map.entry("DAXGUARD_DEVICE", record.deviceName()),
                Map.entry("DAXGUARD_DEVICE_OFFSET", Long.toString(record.offset())),
                Map.entry("DAXGUARD_DEVICE_LENGTH", Long.toString(record.length())),
                Map.entry("DAXGUARD_ERRNO", "5"),
                Map.entry("DAXGUARD_SOURCE", "jmx"),
                Map.entry("DAXGUARD_FILESYSTEM", XFS.mountPoint().toString()),
                Map.entry("DAXGUARD_UUID", record.owners().get(0).filesystem().uuid()),
                Map.entry("DAXGUARD_PATH", "/env.bin"),
                Map.entry("DAXGUARD_INODE", Files.readAttributes(XFS.path("env.bin"), "unix:ino").get("ino").toString()),
                Map.entry("DAXGUARD_KIND", "file"));
    }

    @Test
    void aHookGetsNothingOfTheAgentsEnvironmentAndAFixedPath() throws Exception {
        damage("clean.bin", 2);

        Map<String, String> environment = environmentFor("/clean.bin");

        environment.remove("(sequence file)");
        // sh itself adds PWD (and some shells SHLVL and _); everything else is daxguard's.
        assertThat(environment.keySet()).allMatch(name -> name.startsWith("DAXGUARD_")
                || Set.of("PATH", "HOME", "PWD", "SHLVL", "_").contains(name), "only DAXGUARD_*, PATH and HOME");
        assertThat(environment).containsEntry("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    }

    @Test
    void aHookReadsTheSameEventAsOneJsonObjectOnItsInput() throws Exception {
        DamageRecord record = damage("json.bin", 3);
        String sequence = environmentFor("/json.bin").get("(sequence file)");

        JsonNode event = new ObjectMapper().readTree(HOOKS.file("json." + sequence).toFile());

        assertThat(event.get("event").asText()).isEqualTo(FILE_DAMAGED);
        assertThat(event.get("path").asText()).isEqualTo("/json.bin");
        assertThat(event.get("deviceOffset").asLong()).isEqualTo(record.offset());
        assertThat(event.get("errno").asInt()).isEqualTo(5);
        assertThat(event.get("paths").get(0).asText()).isEqualTo("/json.bin");
    }

    @Test
    void theExitStatusAndStandardErrorOfARunAreAuditedOnTheDamagedFile() throws Exception {
        DamageRecord record = damage("exit.bin", 4);

        AuditEntry run = runOf("fail.sh", "/exit.bin");

        assertThat(run.result()).startsWith("failed: exit 3 after ").endsWith(" ms; stderr: cannot mail about /exit.bin");
        assertThat(run.file().sameFile(record.owners().get(0).fileKey().orElseThrow())).isTrue();
    }

    @Test
    void anOperatorsActionReachesHooksAndAHooksOwnRunDoesNot() throws Exception {
        damage("verified.bin", 7);
        runOf("record.sh", "/verified.bin"); // the hooks of the damage itself have run and are audited
        javax.management.ObjectName file = ObjectNames.damagedFile(XFS.mountPoint().toString(), "/verified.bin");

        AGENT.remote().invoke(file, "verify", new Object[0], new String[0]); // a clean scratch disk: VERIFIED_GOOD
        HOOKS.awaitRun(run -> run.principal().equals("hook:" + HOOKS.file("actions.sh"))
                && run.action().equals("hook " + ACTION_AUDITED) && run.path().equals("/verified.bin"), BOUND);

        List<String> actions = Files.readAllLines(HOOKS.file("actions.log"));
        assertThat(actions).anyMatch(line -> line.endsWith("|verify|/verified.bin"));
        assertThat(actions).noneMatch(line -> line.startsWith("hook:"));
    }

    @Test
    void aSuccessfulRunIsAuditedOk() throws Exception {
        damage("ok.bin", 5);

        assertThat(runOf("record.sh", "/ok.bin").result()).startsWith("ok: exit 0 after ");
    }

    @Test
    void aProgramMadeGroupWritableAfterStartIsRefusedAtItsNextRunNamingTheField() throws Exception {
        Path changing = HOOKS.file("changing.sh");
        Files.setPosixFilePermissions(changing, PosixFilePermissions.fromString("rwxrwxr-x"));
        try {
            damage("changed.bin", 6);

            assertThat(runOf("changing.sh", "/changed.bin").result()).isEqualTo("failed: refused: notify.exec[2].program: "
                    + changing + " is group-writable (mode 0775); only its owner may write it (chmod go-w)");
        } finally {
            Files.setPosixFilePermissions(changing, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }
}
