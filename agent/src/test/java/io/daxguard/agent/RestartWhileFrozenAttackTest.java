package io.daxguard.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.jmx.ObjectNames;
import io.daxguard.testkit.Privileges;
import io.daxguard.testkit.ScratchFilesystem;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.management.ObjectName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * "A freeze outlives an agent restart" (README): the agent stops (a crash, kill -9, an upgrade) while a filesystem it
 * froze is still frozen. The next agent knows nothing of it: FrozenByDaxguard is empty (daxguard remembers its
 * freezes in memory only), the start logs nothing, status says nothing, while every writer on the filesystem waits
 * in the kernel. Nothing tells the operator what to undo.
 */
@Tag("mount")
class RestartWhileFrozenAttackTest {
    @Test
    void anAgentStartedWhileAFilesystemItsPredecessorFrozeIsStillFrozenSaysSo() throws Exception {
        Privileges.requireRootLoopAnd("mkfs.xfs");
        Path state = Files.createTempDirectory("daxguard-state-");
        try (ScratchFilesystem filesystem = ScratchFilesystem.xfs().create()) {
            ObjectName name = ObjectNames.filesystem(filesystem.mountPoint().toString());
            String shownAfterRestart;
            try {
                try (AgentFixture first = new AgentFixture(state)) {
                    first.remote().invoke(ObjectNames.agent(), "refreshTopology", new Object[0], new String[0]);
                    assertThat((String) first.remote().invoke(name, "freeze", new Object[0], new String[0]))
                            .startsWith("ok: frozen");
                }
                try (AgentFixture second = new AgentFixture(state)) {
                    second.remote().invoke(ObjectNames.agent(), "refreshTopology", new Object[0], new String[0]);
                    shownAfterRestart = (String) second.remote().getAttribute(name, "FrozenByDaxguard");
                }
            } finally {
                Freezes.thawWhoeverFroze(filesystem.mountPoint());
            }
            assertThat(shownAfterRestart).as("FrozenByDaxguard of the restarted agent").isNotEmpty();
        } finally {
            AgentFixture.deleteTree(state);
        }
    }
}
