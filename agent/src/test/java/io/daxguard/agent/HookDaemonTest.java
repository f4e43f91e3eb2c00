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
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A hook that starts a process the way a daemon does (a subshell that exits, leaving its child to init, in a session
 * of its own) does not leave it behind (README, Hooks): "a run still going at timeoutSeconds is killed with every
 * process it started", and "a run ends when its program exits: whatever it left running is killed then". The hook
 * hangs for {@code /hangs.bin} and exits 0 for any other file.
 */
@Tag("mount")
class HookDaemonTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final Duration BOUND = Duration.ofSeconds(60);

    @RegisterExtension
    static final ScratchFilesystem XFS = ScratchFilesystem.xfs().build();

    @RegisterExtension
    static final HookDirectory HOOKS = new HookDirectory();

    @RegisterExtension
    @Order(Integer.MAX_VALUE)
    static final RunningAgent AGENT = RunningAgent.startedAfter(() -> HOOKS.script("daemonize.sh",
                    "( setsid sleep 100000 < /dev/null > /dev/null 2>&1 & echo $! > \"$DIR/.pid-$$\" )\n"
                    + "mv \"$DIR/.pid-$$\" \"$DIR/daemon-pid-${DAXGUARD_PATH#/}\"\n"
                    + "if [ \"$DAXGUARD_PATH\" = /hangs.bin ]; then exec sleep 100000; fi\nexit 0"),
            settings -> settings.withHooks(new HooksSettings(List.of(new HookSettings("notify.exec[0]",
                    HOOKS.file("daemonize.sh"), Set.of("io.daxguard.file.damaged"), TIMEOUT)), 1, 64)));

    @BeforeAll
    static void followRuns() {
        AGENT.agent().hooks().onAudited(HOOKS::audited);
    }

    /** Damages {@code name}, checks its hook run ended with {@code result}; whether the daemon it started ended too. */
    private static boolean daemonEndsAfterTheRunOf(String name, String result) throws Exception {
        Path file = XFS.path(name);
        AgentFixture.writeFile(file, 64 * 1024, 1);
        FiemapExtent extent = AgentFixture.extents(file).get(0);
        AgentCalls.reportFailure(AGENT.remote(), XFS.device().getFileName().toString(),
                (extent.physical() + 4096) / 512, 1L, 5);
        long daemon = Long.parseLong(Files.readString(HOOKS.awaitFiles("daemon-pid-" + name, 1, BOUND).get(0))
                .trim());
        try {
            AuditEntry run = HOOKS.awaitRun(entry -> entry.path().equals("/" + name), BOUND);
            assertThat(run.result()).startsWith(result);
            Optional<ProcessHandle> left = ProcessHandle.of(daemon);
            return left.isEmpty() || left.get().onExit().completeOnTimeout(null, 10, TimeUnit.SECONDS)
                    .thenApply(done -> !left.get().isAlive()).get();
        } finally {
            ProcessHandle.of(daemon).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void aHungHookIsKilledWithTheDaemonItStarted() throws Exception {
        assertThat(daemonEndsAfterTheRunOf("hangs.bin", "failed: killed after timeout"))
                .as("the daemon the hook started, 10 s after the hook was killed").isTrue();
    }

    @Test
    void theDaemonAHookLeftIsKilledWhenTheHookExits() throws Exception {
        assertThat(daemonEndsAfterTheRunOf("exits.bin", "ok: exit 0"))
                .as("the daemon the hook started, 10 s after the hook exited").isTrue();
    }
}
