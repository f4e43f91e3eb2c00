package io.daxguard.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.recovery.RecoveryPolicies;
import io.daxguard.agent.recovery.RecoveryPolicy;
import io.daxguard.spi.LinuxPath;
import io.daxguard.testkit.ScratchFilesystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the dry run (testPolicy, open to the monitor role) looks at: only the filesystem beneath its root, never a
 * name outside it, whatever way the path given points there.
 */
@Tag("mount")
class PolicyPlanPathTest {
    private static final Duration BOUND = Duration.ofSeconds(30);

    @RegisterExtension
    static final ScratchFilesystem XFS = ScratchFilesystem.xfs().build();

    @RegisterExtension
    @Order(Integer.MAX_VALUE)
    static final RunningAgent AGENT = RunningAgent.startedAfter(() -> { }, settings -> settings.withRecovery(
            settings.recovery().withPolicies(new RecoveryPolicies(List.of(
                    new RecoveryPolicy("plan", Optional.of(LinuxPath.of(XFS.mountPoint())), Optional.empty(),
                            List.of(RecoveryPolicy.FileStep.QUARANTINE), "SIGBUS", RecoveryPolicy.Mode.EARLY,
                            List.of(), List.of(), List.of()))))));

    /** testPolicy's answer, or its refusal's message; testPolicy is INFO: a remote monitor-role user may call it. */
    private static String testPolicy(String path) throws Exception {
        return AgentCalls.testPolicy(AGENT.remote(), XFS.mountPoint().toString(), path);
    }

    @Test
    void aSymlinkedDirectoryToOutsideTheMountSaysTheSameWhetherOrNotTheFileExists() throws Exception {
        Path outside = Files.createTempFile(XFS.mountPoint().getParent(), "outside-", ".txt");
        Path link = XFS.path("out");
        Files.createSymbolicLink(link, XFS.mountPoint().getParent());
        try {
            String name = outside.getFileName().toString();
            String missing = name.replace("outside-", "missing-");

            String existing = testPolicy("/out/" + name);
            String absent = testPolicy("/out/" + missing);

            assertThat(existing.replace(name, "NAME")).as("existing: " + existing + "\nabsent: " + absent)
                    .isEqualTo(absent.replace(missing, "NAME"));
        } finally {
            Files.delete(link);
            Files.delete(outside);
        }
    }

    @Test
    void aDotDotInsideTheMountIsRefusedByItsName() throws Exception {
        Files.createDirectories(XFS.path("dir"));
        AgentFixture.writeFile(XFS.path("kept.bin"), 4096, 1);

        assertThat(testPolicy("/dir/../kept.bin")).contains("refused").contains("..");
    }

    @Test
    void aFifoIsNotARegularFileAndHoldsNobody() throws Exception {
        Path fifo = XFS.path("pipe");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertThat(mkfifo.waitFor(10, TimeUnit.SECONDS) && mkfifo.exitValue() == 0).isTrue();
        try {
            String answer = CompletableFuture.supplyAsync(() -> {
                try {
                    return testPolicy("/pipe");
                } catch (Exception e) {
                    return e.toString();
                }
            }).get(BOUND.toSeconds(), TimeUnit.SECONDS);

            assertThat(answer).contains("is not a regular file");
        } finally {
            Files.delete(fifo);
        }
    }

    @Test
    void aFileInsideIsPlanned() throws Exception {
        AgentFixture.writeFile(XFS.path("planned.bin"), 4096, 1);

        assertThat(testPolicy("/planned.bin")).contains("policy: plan").contains("dry run: nothing was written");
    }
}
