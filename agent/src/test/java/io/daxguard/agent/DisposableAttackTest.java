package io.daxguard.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.recovery.RecoveryPolicies;
import io.daxguard.agent.recovery.RecoveryPolicy;
import io.daxguard.agent.recovery.RecoverySettings;
import io.daxguard.spi.LinuxPath;
import io.daxguard.testkit.FaultyDisk;
import io.daxguard.testkit.Privileges;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * "rewrite only for files under one of the policy's disposable directories": a file with one name in the disposable
 * {@code cache} and another outside it (a hard link: a build cache, rsync --link-dest, or anyone allowed to link it)
 * is a file whose data matters elsewhere; the policy zeroes its damaged page anyway.
 */
@Tag("mount")
class DisposableAttackTest {
    @RegisterExtension
    static final FaultyDisk DISK = FaultyDisk.xfs().build();
    private static final int FILE_SIZE = 64 * 1024;
    private static final int DAMAGED_PAGE = 2;
    private static AgentFixture fixture;

    @BeforeAll
    static void startAgent() throws Exception {
        Privileges.requireRootLoopAnd("python3");
        Files.createDirectories(DISK.path("cache"));
        Files.createDirectories(DISK.path("db"));
        RecoveryPolicy policy = new RecoveryPolicy("disk", Optional.of(LinuxPath.of(DISK.mountPoint())),
                Optional.empty(), List.of(RecoveryPolicy.FileStep.REWRITE), "SIGBUS", RecoveryPolicy.Mode.EARLY,
                List.of("cache"), List.of(), List.of());
        fixture = new AgentFixture(null, RecoverySettings.defaults().withReplicaRoots(AgentFixture.SCRATCH)
                .withPolicies(new RecoveryPolicies(List.of(policy))));
    }

    @AfterAll
    static void stopAgent() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void aFileWithANameOutsideTheDisposableDirectoriesIsNotZeroed() throws Exception {
        Path kept = DISK.path("db/orders.bin");
        AgentFixture.writeFile(kept, FILE_SIZE, 7);
        Files.createLink(DISK.path("cache/orders.bin"), kept);
        long sector = DISK.sectorOf(kept, DAMAGED_PAGE * 4096L);
        DISK.poison(sector, 1);
        AgentCalls.reportFailure(fixture.remote(), DISK.deviceName(), sector, 1L, 5);
        assertThat(fixture.agent().recoveryPolicies().awaitIdle(Duration.ofMinutes(2))).isTrue();
        DISK.clear(sector, 1);

        byte[] expected = new byte[FILE_SIZE];
        new Random(7).nextBytes(expected);
        byte[] page = Arrays.copyOfRange(Files.readAllBytes(kept), DAMAGED_PAGE * 4096, (DAMAGED_PAGE + 1) * 4096);
        assertThat(Arrays.equals(page, new byte[4096])).as("the damaged page of /db/orders.bin reads zeros").isFalse();
    }
}
