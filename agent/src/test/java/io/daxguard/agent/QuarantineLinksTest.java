package io.daxguard.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daxguard.agent.jmx.ObjectNames;
import io.daxguard.agent.ledger.DamagedFile;
import io.daxguard.agent.recovery.RecoveryPolicies;
import io.daxguard.agent.recovery.RecoveryPolicy;
import io.daxguard.spi.LinuxPath;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.testkit.Command;
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

/**
 * A damaged file with several hard links: quarantine moves every name, a release brings every name back, or none;
 * a name that cannot be found stops both the rewrite of a disposable file and the quarantine.
 */
@Tag("mount")
class QuarantineLinksTest {
    @RegisterExtension
    static final ScratchFilesystem XFS = ScratchFilesystem.xfs().build();

    @RegisterExtension
    @Order(Integer.MAX_VALUE)
    static final RunningAgent AGENT = RunningAgent.startedAfter(() -> { }, settings -> settings.withRecovery(
            settings.recovery().withPolicies(new RecoveryPolicies(List.of(
                    new RecoveryPolicy("links", Optional.of(LinuxPath.of(XFS.mountPoint())), Optional.empty(),
                            List.of(RecoveryPolicy.FileStep.REWRITE, RecoveryPolicy.FileStep.QUARANTINE), "SIGBUS",
                            RecoveryPolicy.Mode.EARLY, List.of("cache"), List.of(), List.of()))))));

    /** A damaged file named {@code names}, all hard links of one inode; returns the inode once quarantined. */
    private static long quarantinedWithNames(String... names) throws Exception {
        Path first = XFS.path(names[0]);
        Files.createDirectories(first.getParent());
        AgentFixture.writeFile(first, 64 * 1024, names.length);
        for (int i = 1; i < names.length; i++) {
            Files.createDirectories(XFS.path(names[i]).getParent());
            Files.createLink(XFS.path(names[i]), first);
        }
        long inode = (Long) Files.getAttribute(first, "unix:ino");
        FiemapExtent extent = AgentFixture.extents(first).get(0);
        AgentCalls.reportFailure(AGENT.remote(), XFS.device().getFileName().toString(),
                (extent.physical() + 4096) / 512, 1L, 5);
        assertThat(AGENT.agent().recoveryPolicies().awaitIdle(Duration.ofMinutes(1))).isTrue();
        assertThat(recorded(inode).state().name()).isEqualTo("QUARANTINED");
        return inode;
    }

    private static DamagedFile recorded(long inode) {
        return DamagedFile.group(AGENT.agent().ledger().records()).stream()
                .filter(file -> file.key().inode() == inode).findFirst().orElseThrow();
    }

    private static String release(String quarantinedPath) throws Exception {
        return (String) AGENT.remote().invoke(ObjectNames.filesystem(XFS.mountPoint().toString()),
                "releaseQuarantined", new Object[] {quarantinedPath.substring(quarantinedPath.lastIndexOf('/') + 1)},
                new String[] {"java.lang.String"});
    }

    private static boolean names(Path path, long inode) throws Exception {
        return Files.exists(path) && (Long) Files.getAttribute(path, "unix:ino") == inode;
    }

    @Test
    void everyNameIsMovedEvenWhenTwoNamesAreTheSameInDifferentDirectories() throws Exception {
        long inode = quarantinedWithNames("one/same.bin", "two/same.bin");

        assertThat(recorded(inode).paths()).hasSize(2).allMatch(path -> path.startsWith("/.daxguard-quarantine/"));
        assertThat(names(XFS.path("one/same.bin"), inode)).isFalse();
        assertThat(names(XFS.path("two/same.bin"), inode)).isFalse();
    }

    @Test
    void aReleaseByItsSecondNamePutsEveryNameBack() throws Exception {
        long inode = quarantinedWithNames("back/a.bin", "back/b.bin");
        String second = recorded(inode).paths().get(1);

        String result = release(second);

        assertThat(names(XFS.path("back/a.bin"), inode)).as(result).isTrue();
        assertThat(names(XFS.path("back/b.bin"), inode)).as(result).isTrue();
        assertThat(recorded(inode).state().name()).isEqualTo("OPEN");
        assertThat(recorded(inode).paths()).containsExactlyInAnyOrder("/back/a.bin", "/back/b.bin");
    }

    @Test
    void aReleaseWithOneNameTakenMovesNoName() throws Exception {
        long inode = quarantinedWithNames("taken/a.bin", "taken/b.bin");
        List<String> quarantined = recorded(inode).paths();
        AgentFixture.writeFile(XFS.path("taken/b.bin"), 4096, 3); // another file took the second name

        assertThatThrownBy(() -> release(quarantined.get(0))).isInstanceOf(RuntimeMBeanException.class).cause()
                .hasMessageContaining("refused: " + XFS.path("taken/b.bin") + " exists")
                .hasMessageContaining("put back");

        assertThat(names(XFS.path("taken/a.bin"), inode)).as("the first name went back into the quarantine").isFalse();
        assertThat(quarantined).allSatisfy(path -> assertThat(names(XFS.path(path.substring(1)), inode)).isTrue());
        assertThat(recorded(inode).state().name()).isEqualTo("QUARANTINED");
    }

    @Test
    void aReleaseIntoADirectoryThatReplacedTheOriginalSaysSoAndMovesNoName() throws Exception {
        long inode = quarantinedWithNames("swapped/a.bin", "kept/b.bin");
        List<String> quarantined = recorded(inode).paths();
        Files.move(XFS.path("swapped"), XFS.path("swapped-away"));
        Files.createDirectories(XFS.path("swapped"));

        assertThatThrownBy(() -> release(quarantined.get(1))).isInstanceOf(RuntimeMBeanException.class).cause()
                .hasMessageContaining("refused: " + XFS.path("swapped") + " is not the directory "
                        + XFS.path("swapped/a.bin") + " was quarantined from");

        assertThat(names(XFS.path("kept/b.bin"), inode)).isFalse();
        assertThat(quarantined).allSatisfy(path -> assertThat(names(XFS.path(path.substring(1)), inode)).isTrue());
    }

    /**
     * A name under a directory another mount covers cannot be reached: the file has more links than names found.
     * Zeroing it (its visible name is under the disposable {@code /cache}) could destroy data the hidden name stands
     * for, and moving the names found would leave that one reading the damaged data: both are skipped or refused,
     * audited, nothing written or moved.
     */
    @Test
    void aFileWithANameThatCannotBeReachedIsNeitherRewrittenNorQuarantined() throws Exception {
        Path visible = XFS.path("cache/visible.bin");
        Path covered = XFS.path("cache/covered");
        Files.createDirectories(covered);
        AgentFixture.writeFile(visible, 64 * 1024, 11);
        Files.createLink(covered.resolve("hidden.bin"), visible);
        long inode = (Long) Files.getAttribute(visible, "unix:ino");
        Command.run("mount", "-t", "tmpfs", "none", covered.toString());
        try {
            FiemapExtent extent = AgentFixture.extents(visible).get(0);
            AgentCalls.reportFailure(AGENT.remote(), XFS.device().getFileName().toString(),
                    (extent.physical() + 4096) / 512, 1L, 5);
            assertThat(AGENT.agent().recoveryPolicies().awaitIdle(Duration.ofMinutes(1))).isTrue();

            assertThat(names(visible, inode)).isTrue();
            assertThat(recorded(inode).state().name()).isEqualTo("OPEN");
            assertThat(AGENT.agent().ledger().history(recorded(inode).key()).stream()
                    .map(entry -> entry.action() + ": " + entry.result()))
                    .anySatisfy(line -> assertThat(line).startsWith("rewriteZeros: skipped: ")
                            .contains("has 2 hard links and only 1 of its names were found"))
                    .anySatisfy(line -> assertThat(line).startsWith("quarantine: refused: ")
                            .contains("has 2 hard links and only 1 of its names were found"));
        } finally {
            Command.run("umount", covered.toString());
        }
    }
}
