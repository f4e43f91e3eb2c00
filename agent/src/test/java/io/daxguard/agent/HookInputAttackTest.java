package io.daxguard.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.hooks.HookSettings;
import io.daxguard.agent.hooks.HooksSettings;
import io.daxguard.agent.ledger.AuditEntry;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.testkit.ScratchFilesystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a damaged file can do to the hooks run for it (issue 15). The kernel refuses an exec whose single environment
 * string is over 128 KiB (MAX_ARG_STRLEN): DAXGUARD_PATHS lists every name of the file, so a file with many names
 * (hard links: a backup tree made with rsync --link-dest, or any user who links a file of theirs 800 times) makes
 * every hook fail to start for its damage, E2BIG; the administrator's notification never runs.
 */
@Tag("mount")
class HookInputAttackTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final Duration BOUND = Duration.ofSeconds(60);

    @RegisterExtension
    static final ScratchFilesystem XFS = ScratchFilesystem.xfs().build();

    @RegisterExtension
    static final HookDirectory HOOKS = new HookDirectory();

    @RegisterExtension
    @Order(Integer.MAX_VALUE)
    static final RunningAgent AGENT = RunningAgent.startedAfter(
            () -> HOOKS.script("notify.sh", "cat > /dev/null\nexit 0"), settings -> settings
            .withHooks(new HooksSettings(List.of(new HookSettings("notify.exec[0]", HOOKS.file("notify.sh"),
                    Set.of("io.daxguard.file.damaged"), TIMEOUT)), 1, 64)));

    @BeforeAll
    static void followRuns() {
        AGENT.agent().hooks().onAudited(HOOKS::audited);
    }

    @Test
    void aHookRunsForTheDamageOfAFileWithHundredsOfNames() throws Exception {
        Files.createDirectories(XFS.path("links"));
        Path file = XFS.path("links/original");
        AgentFixture.writeFile(file, 64 * 1024, 1);
        String longName = "x".repeat(230);
        for (int i = 1; i < 800; i++) { // ~190 KiB of names
            Files.createLink(XFS.path("links/" + longName + i), file);
        }
        FiemapExtent extent = AgentFixture.extents(file).get(0);
        AgentCalls.reportFailure(AGENT.remote(), XFS.device().getFileName().toString(),
                (extent.physical() + 4096) / 512, 1L, 5);

        AuditEntry run = HOOKS.awaitRun(entry -> entry.path().startsWith("/links/"), BOUND);

        assertThat(run.result()).startsWith("ok: exit 0");
    }
}
