package io.daxguard.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.jmx.ObjectNames;
import io.daxguard.agent.recovery.RecoverySettings;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.testkit.Privileges;
import io.daxguard.testkit.ScratchFilesystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.RuntimeMBeanException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Attacks (issue 13) on file actions, on a real XFS with damage reported on a healthy disk. The only replica root
 * roots are {@code replica-root} on the scratch filesystem, which one test makes a symbolic link to a directory outside
 * it, and {@code users-root}, which another test makes a directory an unprivileged user owns.
 */
@Tag("mount")
class FileActionAttackTest {
    private static final int SIZE = 64 * 1024;
    private static final int PAGE = 4096;
    private static final Path OUTSIDE = Path.of("/var/tmp", "daxguard-attack-outside-" + ProcessHandle.current().pid());

    @RegisterExtension
    static final ScratchFilesystem XFS = ScratchFilesystem.xfs().build();

    @RegisterExtension
    @Order(Integer.MAX_VALUE)
    static final RunningAgent AGENT = RunningAgent.startedAfter(() -> { }, settings -> settings.withRecovery(
            RecoverySettings.defaults().withReplicaRoots(List.of(XFS.path("replica-root"), XFS.path("users-root")))));

    @BeforeAll
    static void requireTools() {
        Privileges.requireRootLoopAnd("xfs_admin");
    }

    @AfterAll
    static void removeOutside() throws Exception {
        if (Files.exists(OUTSIDE)) {
            try (var files = Files.list(OUTSIDE)) {
                for (Path file : files.toList()) {
                    Files.delete(file);
                }
            }
            Files.delete(OUTSIDE);
        }
    }

    private static MBeanServerConnection remote() {
        return AGENT.remote();
    }

    private static ObjectName damaged(String name, long seed) throws Exception {
        AgentFixture.writeFile(XFS.path(name), SIZE, seed);
        FiemapExtent extent = AgentFixture.extents(XFS.path(name)).get(0);
        remote().invoke(ObjectNames.agent(), "reportFailure", new Object[] {XFS.device().getFileName().toString(),
            (extent.physical() + PAGE) / 512, 8L, 5}, new String[] {"java.lang.String", "long", "long", "int"});
        ObjectName mbean = ObjectNames.damagedFile(XFS.mountPoint().toString(), "/" + name);
        assertThat(remote().isRegistered(mbean)).as("registered while its damage is open").isTrue();
        return mbean;
    }

    private static String outcome(ObjectName name, String operation, String... arguments) throws Exception {
        String[] signature = new String[arguments.length];
        Arrays.fill(signature, "java.lang.String");
        try {
            return "went ahead: " + remote().invoke(name, operation, arguments, signature);
        } catch (RuntimeMBeanException e) {
            return e.getCause().getMessage();
        }
    }

    /**
     * The quarantine name is {@code <inode>-<generation>-<name>}: a file whose own name is near NAME_MAX (255 bytes)
     * can never be quarantined (ENAMETOOLONG), so whoever names a file can keep it out of quarantine.
     */
    @Test
    void aFileWithALongNameCanBeQuarantined() throws Exception {
        String longName = "q".repeat(250);
        ObjectName name = damaged(longName, 1);

        String result = outcome(name, "quarantine");

        assertThat(result).startsWith("went ahead: moved ");
    }

    /**
     * A replica root is opened by its path, following a symbolic link there: whoever can replace the root (or a
     * directory above it) with a link makes every file the link reaches a replica, and restoreFrom copies it into a
     * file the caller can read.
     */
    @Test
    void aReplicaRootThatIsASymlinkIsNotFollowed() throws Exception {
        ObjectName name = damaged("victim.bin", 2);
        Files.createDirectories(OUTSIDE);
        AgentFixture.writeFile(OUTSIDE.resolve("secret.bin"), SIZE, 99);
        Files.createSymbolicLink(XFS.path("replica-root"), OUTSIDE);

        String result = outcome(name, "forceRestoreFrom", XFS.path("replica-root/secret.bin").toString());

        assertThat(result).startsWith("restoreFrom: refused: the replica root " + XFS.path("replica-root")
                + " (replica.roots: ").contains("is a symbolic link");
    }

    /**
     * A replica root an unprivileged user owns lets that user hard-link or place anything there as a "replica"; it is
     * refused, naming the root and replica.roots, before anything below it is looked at.
     */
    @Test
    void aReplicaRootNotOwnedByRootIsRefused() throws Exception {
        ObjectName name = damaged("owned.bin", 3);
        Path usersRoot = Files.createDirectory(XFS.path("users-root"));
        AgentFixture.writeFile(usersRoot.resolve("planted.bin"), SIZE, 98);
        Files.setAttribute(usersRoot, "unix:uid", 65534);

        String result = outcome(name, "forceRestoreFrom", usersRoot.resolve("planted.bin").toString());

        assertThat(result).startsWith("restoreFrom: refused: the replica root " + usersRoot + " (replica.roots: ")
                .contains("is owned by user 65534, not by root");
    }
}
