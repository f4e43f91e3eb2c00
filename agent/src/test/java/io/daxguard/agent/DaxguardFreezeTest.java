package io.daxguard.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.jmx.ObjectNames;
import io.daxguard.agent.ledger.AuditEntry;
import io.daxguard.agent.ledger.DamagedFile;
import io.daxguard.agent.recovery.RecoveryPolicies;
import io.daxguard.agent.recovery.RecoveryPolicy;
import io.daxguard.agent.recovery.RecoverySettings;
import io.daxguard.spi.LinuxPath;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.testkit.Privileges;
import io.daxguard.testkit.ScratchFilesystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * daxguard's own freezes: a policy never starts a writing step on a filesystem daxguard froze (it would sleep in the
 * kernel until the thaw) and runs it once daxguard thaws it; a freeze is kept in the state directory, so the next
 * agent shows and thaws it, and drops it when that filesystem is not mounted any more. Each test uses a state
 * directory and XFS filesystems of its own, and thaws them in a finally whoever froze them.
 */
@Tag("mount")
class DaxguardFreezeTest {
    private Path state;

    @BeforeEach
    void stateDirectory() throws Exception {
        Privileges.requireRootLoopAnd("mkfs.xfs");
        state = Files.createTempDirectory("daxguard-state-");
    }

    @AfterEach
    void removeStateDirectory() throws Exception {
        AgentFixture.deleteTree(state);
    }

    private static RecoverySettings quarantining(ScratchFilesystem filesystem) {
        return RecoverySettings.defaults().withReplicaRoots(AgentFixture.SCRATCH).withPolicies(new RecoveryPolicies(
                List.of(new RecoveryPolicy("frozen", Optional.of(LinuxPath.of(filesystem.mountPoint())),
                        Optional.empty(), List.of(RecoveryPolicy.FileStep.QUARANTINE), "SIGBUS",
                        RecoveryPolicy.Mode.EARLY, List.of(), List.of(), List.of()))));
    }

    private static ObjectName mbean(ScratchFilesystem filesystem) {
        return ObjectNames.filesystem(filesystem.mountPoint().toString());
    }

    private static String invoke(AgentFixture agent, ScratchFilesystem filesystem, String operation) throws Exception {
        return (String) agent.remote().invoke(mbean(filesystem), operation, new Object[0], new String[0]);
    }

    private static void refresh(AgentFixture agent) throws Exception {
        agent.remote().invoke(ObjectNames.agent(), "refreshTopology", new Object[0], new String[0]);
    }



    private List<Path> keptFreezes() throws Exception {
        Path directory = state.resolve("frozen");
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(file -> file.getFileName().toString().endsWith(".freeze")).toList();
        }
    }

    private static DamagedFile recorded(AgentFixture agent, long inode) {
        return DamagedFile.group(agent.agent().ledger().records()).stream()
                .filter(file -> file.key().inode() == inode).findFirst().orElseThrow();
    }

    @Test
    void aPolicysFileStepsAreRefusedWhileDaxguardHoldsItsFreezeAndRunOnceDaxguardThawsIt() throws Exception {
        try (ScratchFilesystem filesystem = ScratchFilesystem.xfs().create()) {
            Path file = filesystem.path("frozen-under-it.bin");
            AgentFixture.writeFile(file, 64 * 1024, 5);
            long inode = (Long) Files.getAttribute(file, "unix:ino");
            try (AgentFixture agent = new AgentFixture(state, quarantining(filesystem))) {
                refresh(agent);
                assertThat(invoke(agent, filesystem, "freeze")).startsWith("ok: frozen");
                FiemapExtent extent = AgentFixture.extents(file).get(0);
                AgentCalls.reportFailure(agent.remote(), filesystem.device().getFileName().toString(),
                        (extent.physical() + 4096) / 512, 1L, 5);

                assertThat(agent.agent().recoveryPolicies().awaitIdle(Duration.ofSeconds(30)))
                        .as("the policy's worker did not wait on daxguard's freeze").isTrue();
                DamagedFile whileFrozen = recorded(agent, inode);
                assertThat(whileFrozen.state().name()).isEqualTo("OPEN");
                assertThat(agent.agent().ledger().history(whileFrozen.key())).extracting(AuditEntry::result)
                        .anySatisfy(result -> assertThat(result).contains("frozen by daxguard since")
                                .contains("thaw it to let the policy act"));

                assertThat(invoke(agent, filesystem, "thaw")).startsWith("ok: thawed");
                assertThat(agent.agent().recoveryPolicies().awaitIdle(Duration.ofSeconds(30))).isTrue();
                assertThat(recorded(agent, inode).state().name()).isEqualTo("QUARANTINED");
            } finally {
                Freezes.thawWhoeverFroze(filesystem.mountPoint());
            }
        }
    }

    @Test
    void aFreezeOfDaxguardsThawedByHandNoLongerHoldsThePolicyBack() throws Exception {
        try (ScratchFilesystem filesystem = ScratchFilesystem.xfs().create()) {
            Path file = filesystem.path("thawed-by-hand.bin");
            AgentFixture.writeFile(file, 64 * 1024, 6);
            long inode = (Long) Files.getAttribute(file, "unix:ino");
            try (AgentFixture agent = new AgentFixture(state, quarantining(filesystem))) {
                refresh(agent);
                assertThat(invoke(agent, filesystem, "freeze")).startsWith("ok: frozen");
                Freezes.thawWhoeverFroze(filesystem.mountPoint()); // fsfreeze -u
                FiemapExtent extent = AgentFixture.extents(file).get(0);
                AgentCalls.reportFailure(agent.remote(), filesystem.device().getFileName().toString(),
                        (extent.physical() + 4096) / 512, 1L, 5);

                assertThat(agent.agent().recoveryPolicies().awaitIdle(Duration.ofSeconds(30))).isTrue();
                assertThat(recorded(agent, inode).state().name()).isEqualTo("QUARANTINED");
                assertThat((String) agent.remote().getAttribute(mbean(filesystem), "FrozenByDaxguard")).isEmpty();
                assertThat(keptFreezes()).isEmpty();
            } finally {
                Freezes.thawWhoeverFroze(filesystem.mountPoint());
            }
        }
    }

    @Test
    void theNextAgentShowsAndThawsAFreezeItsPredecessorMadeAndForgetsIt() throws Exception {
        try (ScratchFilesystem filesystem = ScratchFilesystem.xfs().create()) {
            try {
                try (AgentFixture first = new AgentFixture(state)) {
                    refresh(first);
                    assertThat(invoke(first, filesystem, "freeze")).startsWith("ok: frozen");
                }
                assertThat(keptFreezes()).hasSize(1);
                try (AgentFixture second = new AgentFixture(state)) {
                    refresh(second);
                    String status = (String) second.remote().invoke(ObjectNames.agent(), "status", new Object[0],
                            new String[0]);
                    assertThat(status).contains("frozen: by daxguard since");

                    assertThat(invoke(second, filesystem, "thaw")).startsWith("ok: thawed");
                }
                assertThat(Freezes.frozen(filesystem.mountPoint())).as("frozen after the second agent's thaw").isFalse();
                assertThat(keptFreezes()).isEmpty();
            } finally {
                Freezes.thawWhoeverFroze(filesystem.mountPoint());
            }
        }
    }

    @Test
    void aKeptFreezeOfAFilesystemNoLongerMountedIsDroppedAtTheNextStart() throws Exception {
        try (ScratchFilesystem filesystem = ScratchFilesystem.xfs().create()) {
            try (AgentFixture first = new AgentFixture(state)) {
                refresh(first);
                assertThat(invoke(first, filesystem, "freeze")).startsWith("ok: frozen");
            } finally {
                Freezes.thawWhoeverFroze(filesystem.mountPoint());
            }
        } // unmounted here
        assertThat(keptFreezes()).hasSize(1);

        try (AgentFixture second = new AgentFixture(state)) {
            assertThat(keptFreezes()).isEmpty();
        }
    }
}
