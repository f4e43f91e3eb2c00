package io.daxguard.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.hooks.HookSettings;
import io.daxguard.agent.hooks.HooksSettings;
import io.daxguard.agent.jmx.ObjectNames;
import io.daxguard.agent.ledger.AuditEntry;
import io.daxguard.spi.linux.FiemapExtent;
import io.daxguard.spi.testkit.ScratchFilesystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * "A run ends when its program exits: whatever it left running is killed then" (README, Hooks): a hook that starts a
 * process the way a daemon does (a subshell that exits, leaving its child to init) and exits 0 at once.
 */
@Tag("mount")
class HookLeftoverTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final Duration BOUND = Duration.ofSeconds(60);

    @RegisterExtension
    static final ScratchFilesystem XFS = ScratchFilesystem.xfs().build();

    @RegisterExtension
    static final HookDirectory HOOKS = new HookDirectory();

    @RegisterExtension
    @Order(Integer.MAX_VALUE)
    static final RunningAgent AGENT = RunningAgent.startedAfter(() -> HOOKS.script("leave-daemon.sh",
                    "( setsid sleep 100000 < /dev/null > /dev/null 2>&1 & echo $! > \"$DIR/.pid\" )\n"
                    + "mv \"$DIR/.pid\" \"$DIR/daemon-pid\"\nexit 0"),
            settings -> settings.withHooks(new HooksSettings(List.of(new HookSettings("notify.exec[0]",
                    HOOKS.file("leave-daemon.sh"), Set.of("io.daxguard.file.damaged"), TIMEOUT)), 1, 64)));

    @BeforeAll
    static void followRuns() {
        AGENT.agent().hooks().onAudited(HOOKS::audited);
    }

    @Test
    void theDaemonAHookLeftIsKilledWhenTheHookExits() throws Exception {
        Path file = XFS.path("left.bin");
        AgentFixture.writeFile(file, 64 * 1024, 1);
        FiemapExtent extent = AgentFixture.extents(file).get(0);
        AGENT.remote().invoke(ObjectNames.agent(), "reportFailure", new Object[] {
            XFS.device().getFileName().toString(), (extent.physical() + 4096) / 512, 1L, 5},
            new String[] {"java.lang.String", "long", "long", "int"});
        long daemon = Long.parseLong(Files.readString(HOOKS.awaitFiles("daemon-pid", 1, BOUND).get(0)).trim());
        try {
            AuditEntry run = HOOKS.awaitRun(entry -> entry.path().equals("/left.bin"), BOUND);
            assertThat(run.result()).startsWith("ok: exit 0");

            Optional<ProcessHandle> left = ProcessHandle.of(daemon);
            boolean ended = left.isEmpty() || left.get().onExit().completeOnTimeout(null, 10, TimeUnit.SECONDS)
                    .thenApply(done -> !left.get().isAlive()).get();
            assertThat(ended).as("the daemon the hook started, 10 s after the hook exited").isTrue();
        } finally {
            ProcessHandle.of(daemon).ifPresent(ProcessHandle::destroyForcibly);
        }
    }
}
