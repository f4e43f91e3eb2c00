package io.daxguard.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.jmx.ObjectNames;
import io.daxguard.agent.ledger.DamagedFile;
import io.daxguard.agent.recovery.RecoveryPolicies;
import io.daxguard.agent.recovery.RecoveryPolicy;
import io.daxguard.spi.LinuxPath;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.support.linux.FilesystemControl;
import io.daxguard.support.linux.NativeFile;
import io.daxguard.testkit.ScratchFilesystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import javax.management.ObjectName;
import javax.management.RuntimeMBeanException;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Attacks on whole-filesystem freezes (issue 15): what a frozen filesystem does to the rest of the agent, and who may
 * thaw what. Each test freezes a filesystem of its own and thaws it in a finally, whoever froze it.
 */
@Tag("mount")
class FrozenFilesystemAttackTest {
    @RegisterExtension
    static final ScratchFilesystem STUCK = ScratchFilesystem.xfs().build();

    @RegisterExtension
    static final ScratchFilesystem HEALTHY = ScratchFilesystem.xfs().build();

    @RegisterExtension
    static final ScratchFilesystem SNAPSHOTTED = ScratchFilesystem.xfs().build();

    @RegisterExtension
    static final ScratchFilesystem SHOWN = ScratchFilesystem.xfs().build();

    @RegisterExtension
    @Order(Integer.MAX_VALUE)
    static final RunningAgent AGENT = RunningAgent.startedAfter(() -> { }, settings -> settings.withRecovery(
            settings.recovery().withPolicies(new RecoveryPolicies(List.of(
                    quarantining("stuck", STUCK), quarantining("healthy", HEALTHY))))));

    private static RecoveryPolicy quarantining(String name, ScratchFilesystem filesystem) {
        return new RecoveryPolicy(name, Optional.of(LinuxPath.of(filesystem.mountPoint())), Optional.empty(),
                List.of(RecoveryPolicy.FileStep.QUARANTINE), "SIGBUS", RecoveryPolicy.Mode.EARLY, List.of(),
                List.of(), List.of());
    }

    private static ObjectName mbean(ScratchFilesystem filesystem) {
        return ObjectNames.filesystem(filesystem.mountPoint().toString());
    }

    private static String invoke(ScratchFilesystem filesystem, String operation) throws Exception {
        return (String) AGENT.remote().invoke(mbean(filesystem), operation, new Object[0], new String[0]);
    }

    private static void report(ScratchFilesystem filesystem, Path file) throws Exception {
        FiemapExtent extent = AgentFixture.extents(file).get(0);
        AgentCalls.reportFailure(AGENT.remote(), filesystem.device().getFileName().toString(),
                (extent.physical() + 4096) / 512, 1L, 5);
    }

    private static String stateOf(long inode, ScratchFilesystem filesystem) {
        return DamagedFile.group(AGENT.agent().ledger().records()).stream()
                .filter(file -> file.key().inode() == inode
                        && file.key().mountPoint().equals(filesystem.mountPoint().toString()))
                .map(file -> file.state().name()).findFirst().orElse("not recorded");
    }

    /** The file's state once it is {@code wanted}, or the last one seen when {@code bound} ran out. */
    private static String awaitState(long inode, ScratchFilesystem filesystem, String wanted, Duration bound) {
        long deadline = System.nanoTime() + bound.toNanos();
        String state = stateOf(inode, filesystem);
        while (!state.equals(wanted) && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            state = stateOf(inode, filesystem);
        }
        return state;
    }



    /**
     * A policy step that writes to a frozen filesystem (here quarantine's mkdir/rename) sleeps in the kernel until the
     * thaw. The policy engine has one thread for every filesystem, so while one filesystem is frozen (by an operator,
     * or by a policy's own onMetadataDamage: [freeze]) no policy acts anywhere: a damaged file on a healthy filesystem
     * is neither signalled, restored nor quarantined. (Also seen with the packaged agent: SIGTERM then prints
     * "daxguard: stopped" but the process cannot exit, not even on SIGKILL, until someone thaws the filesystem.)
     */
    @Test
    void aPolicyStepHungOnAFrozenFilesystemDoesNotStopThePoliciesOfOtherFilesystems() throws Exception {
        Path onStuck = STUCK.path("waits.bin");
        Path onHealthy = HEALTHY.path("elsewhere.bin");
        AgentFixture.writeFile(onStuck, 64 * 1024, 1);
        AgentFixture.writeFile(onHealthy, 64 * 1024, 2);
        long healthyInode = (Long) Files.getAttribute(onHealthy, "unix:ino");
        String healthyState;
        try {
            assertThat(invoke(STUCK, "freeze")).startsWith("ok: frozen");
            report(STUCK, onStuck);
            report(HEALTHY, onHealthy);

            healthyState = awaitState(healthyInode, HEALTHY, "QUARANTINED", Duration.ofSeconds(30));
        } finally {
            Freezes.thawWhoeverFroze(STUCK.mountPoint());
        }
        assertThat(healthyState).as("the healthy filesystem's damaged file, 30 s after its report, while another "
                + "filesystem is frozen").isEqualTo("QUARANTINED");
    }

    /**
     * daxguard refuses to freeze a filesystem someone else froze (a snapshot tool), but its thaw undoes that freeze
     * too: the snapshot then copies a filesystem that is being written. FrozenByDaxguard knows it did not freeze it.
     */
    @Test
    void aThawOfAFilesystemDaxguardDidNotFreezeIsRefusedAndLeavesItFrozen() throws Exception {
        assertThat(AGENT.remote().isRegistered(mbean(SNAPSHOTTED))).as("held").isTrue();
        String answer;
        boolean stillFrozen;
        try (NativeFile root = NativeFile.openDirectory(SNAPSHOTTED.mountPoint())) {
            FilesystemControl.freeze(root); // what fsfreeze -f, or a snapshot tool, does
            try {
                try {
                    answer = invoke(SNAPSHOTTED, "thaw");
                } catch (RuntimeMBeanException refused) {
                    answer = refused.getCause().getMessage();
                }
                stillFrozen = Freezes.frozen(SNAPSHOTTED.mountPoint());
            } finally {
                Freezes.thawWhoeverFroze(SNAPSHOTTED.mountPoint());
            }
        }
        assertThat(stillFrozen).as("frozen by another after daxguard's thaw answered: " + answer).isTrue();
    }

    /**
     * A filesystem daxguard froze (by hand or by a policy) has every writer waiting in the kernel, but daxguard's
     * status (text and JSON alike) never says so: only the Filesystem MBean's FrozenByDaxguard does.
     */
    @Test
    void theStatusSaysAFilesystemIsFrozenByDaxguard() throws Exception {
        String status;
        try {
            assertThat(invoke(SHOWN, "freeze")).startsWith("ok: frozen");
            status = (String) AGENT.remote().invoke(ObjectNames.agent(), "status", new Object[0], new String[0]);
        } finally {
            Freezes.thawWhoeverFroze(SHOWN.mountPoint());
        }
        String section = status.substring(status.indexOf("filesystem: " + SHOWN.mountPoint()));
        int end = section.indexOf("\n\n");
        assertThat(end < 0 ? section : section.substring(0, end)).containsIgnoringCase("frozen");
    }
}
