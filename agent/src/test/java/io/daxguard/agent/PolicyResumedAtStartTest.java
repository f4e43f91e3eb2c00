package io.daxguard.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.ledger.AuditEntry;
import io.daxguard.agent.ledger.DamagedFile;
import io.daxguard.agent.recovery.MirrorTreeReplicaProvider;
import io.daxguard.agent.recovery.RecoveryPolicies;
import io.daxguard.agent.recovery.RecoveryPolicy;
import io.daxguard.agent.recovery.RecoverySettings;
import io.daxguard.spi.LinuxPath;
import io.daxguard.testkit.FaultyDisk;
import io.daxguard.testkit.Privileges;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A policy's steps that never finished (the agent stopped or was killed before they ran, or the policy is new) run at
 * the next start; steps that finished are not run again. On a faulty XFS disk, with one state directory across the
 * agent's runs.
 */
@Tag("mount")
class PolicyResumedAtStartTest {
    @RegisterExtension
    static final FaultyDisk DISK = FaultyDisk.xfs().build();
    private static final int FILE_SIZE = 64 * 1024;
    private static final int DAMAGED_PAGE = 2;

    @TempDir
    Path state;

    @BeforeAll
    static void requireTools() {
        Privileges.requireRootLoopAnd("python3");
    }

    private static RecoverySettings withPolicy(List<RecoveryPolicy.FileStep> steps) throws Exception {
        Files.createDirectories(DISK.path("mirror"));
        return RecoverySettings.defaults().withReplicaRoots(AgentFixture.SCRATCH)
                .withReplicaProvider(new MirrorTreeReplicaProvider(Map.of(DISK.mountPoint(), DISK.path("mirror"))))
                .withPolicies(new RecoveryPolicies(List.of(new RecoveryPolicy("disk",
                        Optional.of(LinuxPath.of(DISK.mountPoint())), Optional.empty(), steps, "SIGBUS",
                        RecoveryPolicy.Mode.EARLY, List.of(), List.of(), List.of()))));
    }

    private static void damage(AgentFixture fixture, Path file) throws Exception {
        long sector = DISK.sectorOf(file, DAMAGED_PAGE * 4096L);
        DISK.poison(sector, 1);
        AgentCalls.reportFailure(fixture.remote(), DISK.deviceName(), sector, 1L, 5);
        awaitThePolicy(fixture);
    }

    private static void awaitThePolicy(AgentFixture fixture) throws InterruptedException {
        assertThat(fixture.agent().recoveryPolicies().awaitIdle(Duration.ofMinutes(2))).as("policy done").isTrue();
    }

    private static DamagedFile recorded(AgentFixture fixture, long inode) {
        return DamagedFile.group(fixture.agent().ledger().records()).stream()
                .filter(file -> file.key().inode() == inode).findFirst().orElseThrow();
    }

    @Test
    void damageRecordedWithoutAPolicyIsRestoredByTheStepsAtTheNextStart() throws Exception {
        Path file = DISK.path("restored-at-start.bin");
        AgentFixture.writeFile(file, FILE_SIZE, 11);
        AgentFixture.writeFile(DISK.path("mirror/restored-at-start.bin"), FILE_SIZE, 11);
        long inode = (Long) Files.getAttribute(file, "unix:ino");
        try (AgentFixture withoutPolicy = new AgentFixture(state)) {
            damage(withoutPolicy, file);
            assertThat(recorded(withoutPolicy, inode).state().name()).isEqualTo("OPEN");
        }

        try (AgentFixture restarted = new AgentFixture(state, withPolicy(List.of(RecoveryPolicy.FileStep.RESTORE)))) {
            awaitThePolicy(restarted);

            assertThat(recorded(restarted, inode).state().name()).isEqualTo("RESTORED");
            assertThat(DirectIo.pageFailsToRead(file, DAMAGED_PAGE * 4096L)).isFalse();
        }
    }

    @Test
    void stepsThatFinishedAreNotRunAgainAtTheNextStart() throws Exception {
        Path file = DISK.path("signalled-once.bin");
        AgentFixture.writeFile(file, FILE_SIZE, 12);
        long inode = (Long) Files.getAttribute(file, "unix:ino");
        RecoverySettings signalOnly = withPolicy(List.of(RecoveryPolicy.FileStep.SIGNAL_MAPPERS));
        try (AgentFixture first = new AgentFixture(state, signalOnly);
             PageMapper mapper = new PageMapper(file, DAMAGED_PAGE)) {
            damage(first, file);
            assertThat(mapper.ask()).isEqualTo("got SIGBUS");
        }

        try (PageMapper later = new PageMapper(file, DAMAGED_PAGE);
             AgentFixture restarted = new AgentFixture(state, signalOnly)) {
            awaitThePolicy(restarted);

            assertThat(later.ask()).as("the policy finished before the stop").isEqualTo("alive");
            assertThat(restarted.agent().ledger().history(recorded(restarted, inode).key()).stream()
                    .map(AuditEntry::action).filter("recovery policy"::equals)).hasSize(1);
        }
    }
}
