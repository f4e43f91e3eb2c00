package io.daxguard.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.jmx.ObjectNames;
import io.daxguard.agent.ledger.DamagedFile;
import io.daxguard.agent.recovery.RecoveryPolicies;
import io.daxguard.agent.recovery.RecoveryPolicy;
import io.daxguard.spi.LinuxPath;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.testkit.ScratchFilesystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.management.RuntimeMBeanException;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Attacks on what a recovery policy and its dry run act on, by the names given to them (issue 15). */
@Tag("mount")
class PolicyPathAttackTest {
    @RegisterExtension
    static final ScratchFilesystem XFS = ScratchFilesystem.xfs().build();

    @RegisterExtension
    @Order(Integer.MAX_VALUE)
    static final RunningAgent AGENT = RunningAgent.startedAfter(() -> { }, settings -> settings.withRecovery(
            settings.recovery().withPolicies(new RecoveryPolicies(List.of(
                    new RecoveryPolicy("attack", Optional.of(LinuxPath.of(XFS.mountPoint())), Optional.empty(),
                            List.of(RecoveryPolicy.FileStep.QUARANTINE), "SIGBUS", RecoveryPolicy.Mode.EARLY,
                            List.of(), List.of(), List.of()))))));

    private static void damageAndAwaitThePolicy(Path file) throws Exception {
        FiemapExtent extent = AgentFixture.extents(file).get(0);
        AgentCalls.reportFailure(AGENT.remote(), XFS.device().getFileName().toString(),
                (extent.physical() + 4096) / 512, 1L, 5);
        assertThat(AGENT.agent().recoveryPolicies().awaitIdle(Duration.ofMinutes(1))).isTrue();
    }

    private static DamagedFile recorded(long inode) {
        return DamagedFile.group(AGENT.agent().ledger().records()).stream()
                .filter(file -> file.key().inode() == inode).findFirst().orElseThrow();
    }

    /** testPolicy's answer, or its refusal's message; testPolicy is INFO: a remote monitor-role user may call it. */
    private static String testPolicy(String path) throws Exception {
        return AgentCalls.testPolicy(AGENT.remote(), XFS.mountPoint().toString(), path);
    }

    /**
     * "quarantine last, so that nothing reads bad data silently": a damaged file with a second hard link is moved to
     * the quarantine by one name and shown QUARANTINED, while its other name still opens it and reads the bad data.
     */
    @Test
    void aQuarantinedFileLeavesNoOtherNameThatStillReadsIt() throws Exception {
        Path first = XFS.path("linked-a.bin");
        Path second = XFS.path("linked-b.bin");
        AgentFixture.writeFile(first, 64 * 1024, 1);
        Files.createLink(second, first);
        long inode = (Long) Files.getAttribute(first, "unix:ino");

        damageAndAwaitThePolicy(first);

        assertThat(recorded(inode).state().name()).isEqualTo("QUARANTINED");
        assertThat(Files.exists(first) && (Long) Files.getAttribute(first, "unix:ino") == inode)
                .as("linked-a.bin still names the quarantined inode").isFalse();
        assertThat(Files.exists(second) && (Long) Files.getAttribute(second, "unix:ino") == inode)
                .as("linked-b.bin still names the quarantined inode").isFalse();
    }

    /**
     * testPolicy MOUNT PATH takes a path inside the filesystem, but a relative one with {@code ..} is looked up (statx)
     * outside the mount before it is refused: the refusal says ENOENT for a name that does not exist and something
     * else for one that does, so a monitor-role user learns which files exist anywhere on the host.
     */
    @Test
    void aDryRunOfAPathOutsideTheMountSaysTheSameWhetherOrNotItExists() throws Exception {
        Path outside = Files.createTempFile(XFS.mountPoint().getParent(), "outside-", ".txt");
        try {
            String name = outside.getFileName().toString();
            String missing = name.replace("outside-", "missing-");

            String existing = testPolicy("../" + name);
            String absent = testPolicy("../" + missing);

            assertThat(existing.replace(name, "NAME")).as("existing: " + existing + "\nabsent: " + absent)
                    .isEqualTo(absent.replace(missing, "NAME"));
        } finally {
            Files.delete(outside);
        }
    }

    /**
     * A release puts the file back by its recorded path, into whatever directory has that name now: the directory it
     * was quarantined from was renamed away and another one (anyone's who can write the parent, e.g. in a shared
     * sticky directory) took its name; the file, with its content, lands there, under the new directory owner's
     * control. The file is identified by inode and generation; its directory is not.
     */
    @Test
    void aReleaseIntoADirectoryThatIsNotTheOneTheFileCameFromIsRefused() throws Exception {
        Files.createDirectories(XFS.path("owned"));
        Path file = XFS.path("owned/f.bin");
        AgentFixture.writeFile(file, 64 * 1024, 9);
        long inode = (Long) Files.getAttribute(file, "unix:ino");
        damageAndAwaitThePolicy(file);
        String quarantinedAs = recorded(inode).displayPath();
        Files.move(XFS.path("owned"), XFS.path("owned-before"));
        Files.createDirectories(XFS.path("owned")); // another directory, same name

        String answer;
        try {
            answer = "done: " + AGENT.remote().invoke(ObjectNames.filesystem(XFS.mountPoint().toString()),
                    "releaseQuarantined", new Object[] {quarantinedAs.substring(quarantinedAs.lastIndexOf('/') + 1)},
                    new String[] {"java.lang.String"});
        } catch (RuntimeMBeanException refused) {
            answer = refused.getCause().getMessage();
        }

        assertThat(XFS.path("owned/f.bin")).as("after: " + answer).doesNotExist();
    }
}
