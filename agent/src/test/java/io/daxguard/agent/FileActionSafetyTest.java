package io.daxguard.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daxguard.agent.jmx.ObjectNames;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.Privileges;
import io.daxguard.testkit.ScratchFilesystem;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Random;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.RuntimeMBeanException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a repair checks before it acts, each on a real XFS with damage reported on a healthy disk: the quarantine
 * directory must be daxguard's own; a replica outside the replica roots is refused without a word about it; a write
 * is refused over a range that reads clean now, over blocks the file no longer maps, and on a copy of the filesystem
 * mounted where the original was.
 */
@Tag("mount")
class FileActionSafetyTest {
    private static final int SIZE = 64 * 1024;
    private static final int PAGE = 4096;

    @RegisterExtension
    static final ScratchFilesystem XFS = ScratchFilesystem.xfs().build();

    @RegisterExtension
    @Order(Integer.MAX_VALUE) // after XFS: started once it is mounted, stopped before it is unmounted
    static final RunningAgent AGENT = RunningAgent.started();

    @BeforeAll
    static void requireTools() {
        Privileges.requireRootLoopAnd("xfs_admin", "cp");
    }

    @AfterEach
    void removeTheQuarantineDirectory() throws Exception {
        Path quarantine = XFS.path(".daxguard-quarantine");
        if (Files.exists(quarantine, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            Command.run("rm", "-rf", quarantine.toString());
        }
    }

    private static MBeanServerConnection remote() {
        return AGENT.remote();
    }

    /** Writes a file, reports its second page as failed (the disk reads it fine); returns its MBean. */
    private static ObjectName damaged(String name, long seed) throws Exception {
        AgentFixture.writeFile(XFS.path(name), SIZE, seed);
        FiemapExtent extent = AgentFixture.extents(XFS.path(name)).get(0);
        remote().invoke(ObjectNames.agent(), "reportFailure", new Object[] {XFS.device().getFileName().toString(),
            (extent.physical() + PAGE) / 512, 8L, 5}, new String[] {"java.lang.String", "long", "long", "int"});
        ObjectName mbean = ObjectNames.damagedFile(XFS.mountPoint().toString(), "/" + name);
        assertThat(remote().isRegistered(mbean)).as("registered while its damage is open").isTrue();
        return mbean;
    }

    private static Object invoke(ObjectName name, String operation, String... arguments) throws Exception {
        String[] signature = new String[arguments.length];
        Arrays.fill(signature, "java.lang.String");
        return remote().invoke(name, operation, arguments, signature);
    }

    /** The message of the exception the operation failed with, or "went ahead: result". */
    private static String refusal(ObjectName name, String operation, String... arguments) throws Exception {
        try {
            return "went ahead: " + invoke(name, operation, arguments);
        } catch (RuntimeMBeanException e) {
            return e.getCause().getMessage();
        }
    }

    private static byte[] page(Path file, int index) throws Exception {
        return Arrays.copyOfRange(Files.readAllBytes(file), index * PAGE, (index + 1) * PAGE);
    }

    @Test
    void quarantineRefusesAQuarantineDirectoryThatIsASymlink() throws Exception {
        ObjectName name = damaged("q-symlink.bin", 1);
        Path elsewhere = Files.createDirectories(XFS.path("elsewhere"));
        Files.createSymbolicLink(XFS.path(".daxguard-quarantine"), elsewhere);

        assertThat(refusal(name, "quarantine")).contains("is a symbolic link");
        assertThat(XFS.path("q-symlink.bin")).exists();
        assertThat(elsewhere).isEmptyDirectory();
    }

    @Test
    void quarantineRefusesAQuarantineDirectoryAnotherUserOwns() throws Exception {
        ObjectName name = damaged("q-owned.bin", 2);
        Path planted = Files.createDirectory(XFS.path(".daxguard-quarantine"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Command.run("chown", "12345:12345", planted.toString());

        assertThat(refusal(name, "quarantine")).contains("owned by user 12345");
        assertThat(XFS.path("q-owned.bin")).exists();
    }

    @Test
    void quarantineRefusesAQuarantineDirectoryOthersMayEnter() throws Exception {
        ObjectName name = damaged("q-open.bin", 3);
        Path planted = Files.createDirectory(XFS.path(".daxguard-quarantine"));
        Files.setPosixFilePermissions(planted, PosixFilePermissions.fromString("rwxrwxrwx"));

        assertThat(refusal(name, "quarantine")).contains("has mode 0777");
        assertThat(XFS.path("q-open.bin")).exists();
    }

    /**
     * Outside the roots, an existing file of another size and a path to nothing get the same words: nothing says
     * whether the file exists or how large it is.
     */
    @Test
    void aReplicaOutsideTheRootsIsRefusedWithoutRevealingAnythingOfIt() throws Exception {
        ObjectName name = damaged("outside.bin", 4);
        Path secret = Files.createTempFile(Path.of("/var/tmp"), "daxguard-secret-", ".bin");
        try {
            Files.write(secret, new byte[12345]);
            Path absent = secret.resolveSibling(secret.getFileName() + ".absent");

            String existing = refusal(name, "restoreFrom", secret.toString());
            String missing = refusal(name, "restoreFrom", absent.toString());

            assertThat(existing).contains("replica.roots").doesNotContain("12345");
            assertThat(existing.replace(secret.toString(), "PATH")).isEqualTo(missing.replace(absent.toString(), "PATH"));
            assertThat(page(XFS.path("outside.bin"), 1)).isEqualTo(page(data(4), 1));
        } finally {
            Files.deleteIfExists(secret);
        }
    }

    private static Path data(long seed) throws Exception {
        Path expected = Files.createTempFile("daxguard-expected-", ".bin");
        expected.toFile().deleteOnExit();
        Files.delete(expected);
        AgentFixture.writeFile(expected, SIZE, seed);
        return expected;
    }

    @Test
    void rewriteRefusesARangeThatReadsCleanNowAndWritesNothing() throws Exception {
        ObjectName name = damaged("reads-clean.bin", 5);

        assertThat(refusal(name, "rewriteZeros", "/reads-clean.bin")).contains("read clean now")
                .contains("forceRewriteZeros");
        assertThat(page(XFS.path("reads-clean.bin"), 1)).isEqualTo(page(data(5), 1));
    }

    @Test
    void forceRewriteZerosWritesOverARangeThatReadsClean() throws Exception {
        ObjectName name = damaged("forced.bin", 6);

        invoke(name, "forceRewriteZeros", "/forced.bin");

        assertThat(page(XFS.path("forced.bin"), 1)).containsOnly(0);
    }

    /**
     * The file's damaged page was rewritten after the damage was found; on a reflinked file the write went to new
     * blocks (copy on write), so the file no longer maps the damaged ones, and the new data must survive.
     */
    @Test
    void rewriteRefusesAFileThatNoLongerMapsTheDamagedBlocks() throws Exception {
        ObjectName name = damaged("moved.bin", 7);
        long before = AgentFixture.extents(XFS.path("moved.bin")).get(0).physical();
        Command.run("cp", "--reflink=always", XFS.path("moved.bin").toString(), XFS.path("moved-copy.bin").toString());
        byte[] newData = new byte[PAGE];
        new Random(77).nextBytes(newData);
        try (FileChannel channel = FileChannel.open(XFS.path("moved.bin"), StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(newData), PAGE);
            channel.force(true);
        }
        assertThat(physicalOfPage(XFS.path("moved.bin"), 1)).as("copy on write moved the page")
                .isNotEqualTo(before + PAGE);

        assertThat(refusal(name, "rewriteZeros", "/moved.bin")).contains("no longer maps the damaged blocks");
        assertThat(page(XFS.path("moved.bin"), 1)).isEqualTo(newData);
    }

    private static long physicalOfPage(Path file, int index) throws Exception {
        long offset = (long) index * PAGE;
        return AgentFixture.extents(file).stream().filter(extent -> extent.logical() <= offset
                && offset < extent.logicalEnd()).findFirst().map(extent -> extent.physical() + offset
                - extent.logical()).orElse(-1L);
    }

    /**
     * A copy of the filesystem (same files, inodes and generations; another UUID) mounted where the original was:
     * the damage was found on the original, so nothing is written to the copy.
     */
    @Test
    void aCloneMountedAtTheMountPointIsNotWritten() throws Exception {
        ObjectName name = damaged("cloned.bin", 8);
        Path clone = XFS.image().resolveSibling("clone.img");
        String mountPoint = XFS.mountPoint().toString();
        Command.run("umount", mountPoint);
        String loop = null;
        try {
            Command.run("cp", "--sparse=always", XFS.image().toString(), clone.toString());
            loop = Command.run("losetup", "--find", "--show", clone.toString()).strip();
            Command.run("xfs_admin", "-U", "generate", loop);
            Command.run("mount", loop, mountPoint);
            remote().invoke(ObjectNames.agent(), "refreshTopology", new Object[0], new String[0]);

            String refusal = refusal(name, "forceRewriteZeros", "/cloned.bin");

            assertThat(refusal).contains("now has UUID");
            assertThat(page(XFS.path("cloned.bin"), 1)).isEqualTo(page(data(8), 1));
        } finally {
            Command.tryRun("umount", mountPoint);
            if (loop != null) {
                Command.tryRun("losetup", "--detach", loop);
            }
            Files.deleteIfExists(clone);
            Command.run("mount", XFS.device().toString(), mountPoint);
            remote().invoke(ObjectNames.agent(), "refreshTopology", new Object[0], new String[0]);
        }
    }
}
