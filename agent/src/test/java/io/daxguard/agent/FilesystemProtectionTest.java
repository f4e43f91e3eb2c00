package io.daxguard.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daxguard.agent.daemon.Agent;
import io.daxguard.agent.jmx.ObjectNames;
import io.daxguard.agent.ledger.FilesystemRef;
import io.daxguard.agent.plugins.AttachedFilesystem;
import io.daxguard.agent.recovery.FilesystemProtection.ProtectionResult;
import io.daxguard.agent.recovery.KernelFilesystemProtection;
import io.daxguard.support.linux.FilesystemControl;
import io.daxguard.support.linux.NativeFile;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.Privileges;
import io.daxguard.testkit.ScratchFilesystem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.RuntimeMBeanException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Freeze, thaw and shutdown of whole filesystems through the Filesystem MBean of a running agent (a real RMI
 * connector) and through the {@code FilesystemProtection} a recovery policy calls, on real XFS and ext4 loop
 * filesystems, each test on filesystems of its own.
 */
@Tag("mount")
class FilesystemProtectionTest {
    private static AgentFixture fixture;
    private static MBeanServerConnection remote;

    @BeforeAll
    static void startAgent() throws Exception {
        Privileges.requireRootLoopAnd("mkfs.xfs", "mkfs.ext4");
        fixture = new AgentFixture();
        remote = fixture.remote();
    }

    @AfterAll
    static void stopAgent() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    private static ObjectName held(ScratchFilesystem filesystem) throws Exception {
        remote.invoke(ObjectNames.agent(), "refreshTopology", new Object[0], new String[0]);
        ObjectName name = ObjectNames.filesystem(filesystem.mountPoint().toString());
        assertThat(remote.isRegistered(name)).as("the agent holds " + filesystem.mountPoint()).isTrue();
        return name;
    }

    private static String invoke(ObjectName name, String operation) throws Exception {
        return (String) remote.invoke(name, operation, new Object[0], new String[0]);
    }

    /** The message of the exception the operation was refused with. */
    private static String refusal(ObjectName name, String operation, Object[] arguments, String[] signature) {
        try {
            remote.invoke(name, operation, arguments, signature);
        } catch (RuntimeMBeanException e) {
            return e.getCause().getMessage();
        } catch (Exception e) {
            throw new AssertionError("expected a refusal, got " + e, e);
        }
        throw new AssertionError(operation + " was not refused");
    }

    /** A shell writing {@code file} (open with O_CREAT, then a write): on a frozen filesystem it waits in the kernel. */
    private static Process writer(Path file) throws IOException {
        return new ProcessBuilder("sh", "-c", "echo written > '" + file + "'").redirectErrorStream(true).start();
    }

    /** Waits (10 s at most) until the process sleeps uninterruptibly in the kernel, as a writer on a frozen filesystem. */
    private static boolean waitsInTheKernel(Process process) throws IOException {
        Path stat = Path.of("/proc", Long.toString(process.pid()), "stat");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline && process.isAlive()) {
            String text;
            try {
                text = Files.readString(stat);
            } catch (IOException exited) {
                return false;
            }
            // pid (comm) STATE ...: the state follows the last ')'.
            if (text.charAt(text.lastIndexOf(')') + 2) == 'D') {
                return true;
            }
            Thread.onSpinWait();
        }
        return false;
    }

    /** Whether nothing holds the filesystem frozen: a freeze of its own succeeds (and is undone). */
    private static boolean notFrozen(Path mountPoint) throws IOException {
        try (NativeFile root = NativeFile.openDirectory(mountPoint)) {
            FilesystemControl.freeze(root);
            FilesystemControl.thaw(root);
            return true;
        } catch (io.daxguard.support.linux.FilesystemControlException frozen) {
            return false;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"xfs", "ext4"})
    void aWriteFromAnotherProcessWaitsWhileFrozenAndFinishesAfterTheThaw(String type) throws Exception {
        try (ScratchFilesystem filesystem = ScratchFilesystem.of(type).create()) {
            ObjectName name = held(filesystem);
            Path file = filesystem.path("written-while-frozen");
            Process writer;
            try {
                assertThat(invoke(name, "freeze")).startsWith("ok: frozen");
                assertThat((String) remote.getAttribute(name, "FrozenByDaxguard")).startsWith("frozen at");
                writer = writer(file);

                assertThat(waitsInTheKernel(writer)).as("the writer waits in the kernel").isTrue();
                assertThat(writer.isAlive()).isTrue();
                assertThat(file).doesNotExist();
            } finally {
                assertThat(invoke(name, "thaw")).startsWith("ok: thawed");
            }
            assertThat(writer.waitFor(30, TimeUnit.SECONDS)).as("the writer finished after the thaw").isTrue();
            assertThat(writer.exitValue()).isZero();
            assertThat(Files.readString(file)).isEqualTo("written\n");
            assertThat((String) remote.getAttribute(name, "FrozenByDaxguard")).isEmpty();
        }
    }

    @Test
    void aSecondFreezeIsRefusedAsFrozenAlreadyAndAThawOfAThawedFilesystemAsNotFrozen() throws Exception {
        try (ScratchFilesystem filesystem = ScratchFilesystem.xfs().create()) {
            ObjectName name = held(filesystem);
            invoke(name, "freeze");
            try {
                assertThat(refusal(name, "freeze", new Object[0], new String[0]))
                        .startsWith("not done: the filesystem is frozen already");
            } finally {
                invoke(name, "thaw");
            }

            assertThat(refusal(name, "thaw", new Object[0], new String[0]))
                    .startsWith("not done: the filesystem is not frozen");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"xfs", "ext4"})
    void aShutdownConfirmedWithTheMountPointMakesEveryWriteFailWithEio(String type) throws Exception {
        try (ScratchFilesystem filesystem = ScratchFilesystem.of(type).create()) {
            ObjectName name = held(filesystem);
            String mountPoint = filesystem.mountPoint().toString();
            String[] signature = {"java.lang.String"};

            assertThat(refusal(name, "shutdown", new Object[] {"/elsewhere"}, signature))
                    .contains("confirmMountPoint must be the mount point");
            Files.writeString(filesystem.path("still-writable"), "yes");

            assertThat((String) remote.invoke(name, "shutdown", new Object[] {mountPoint}, signature))
                    .startsWith("ok: shut down").contains(type.equals("xfs") ? "xfs_repair" : "e2fsck -f");
            assertThatThrownBy(() -> Files.writeString(filesystem.path("after-shutdown"), "no"))
                    .isInstanceOf(IOException.class).hasMessageContaining("Input/output error");
            assertThat(fixture.agent().ledger().history(io.daxguard.agent.ledger.FileKey.NONE))
                    .anyMatch(entry -> entry.action().equals("shutdown") && entry.result().startsWith("ok: shut down")
                            && entry.result().endsWith("[" + mountPoint + "]"));
        }
    }

    @Test
    void aShutdownOfAFilesystemDaxguardFrozeThawsItSoWaitingWritesFail() throws Exception {
        try (ScratchFilesystem filesystem = ScratchFilesystem.ext4().create()) {
            ObjectName name = held(filesystem);
            invoke(name, "freeze");
            Process writer = writer(filesystem.path("waiting"));
            assertThat(waitsInTheKernel(writer)).isTrue();

            assertThat((String) remote.invoke(name, "shutdown", new Object[] {filesystem.mountPoint().toString()},
                    new String[] {"java.lang.String"})).contains("thawed, so waiting writes fail");

            assertThat(writer.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(writer.exitValue()).isNotZero();
        }
    }

    /**
     * Another filesystem (another UUID) mounted over the mount point after the protection last saw the mount table:
     * the UUID asked through the mount point's descriptor is not the one asked for, and nothing is frozen.
     */
    @Test
    void aFreezeIsRefusedWhenAnotherFilesystemIsMountedAtTheMountPoint() throws Exception {
        try (ScratchFilesystem original = ScratchFilesystem.xfs().create();
             ScratchFilesystem other = ScratchFilesystem.xfs().create()) {
            held(original);
            Agent agent = fixture.agent();
            List<AttachedFilesystem> before = agent.filesystems().all();
            FilesystemRef reference = agent.filesystems().atMountPoint(original.mountPoint().toString()).orElseThrow()
                    .reference();
            // A state directory on neither filesystem: the temporary directory they are mounted below.
            Path state = Path.of(System.getProperty("java.io.tmpdir"));
            KernelFilesystemProtection protection = new KernelFilesystemProtection(agent.ledger(), () -> before,
                    agent.topology()::current, Path.of("/dev"), Path.of("/sys"), state, Clock.systemUTC());
            Command.run("mount", other.device().toString(), original.mountPoint().toString());
            try {
                ProtectionResult result = protection.freeze(reference, "test");

                assertThat(result.done()).isFalse();
                assertThat(result.message()).contains("now has UUID").contains("not " + reference.uuid());
                assertThat(notFrozen(original.mountPoint())).as("the filesystem mounted on top is not frozen").isTrue();
            } finally {
                Command.run("umount", original.mountPoint().toString());
            }
            assertThat(notFrozen(original.mountPoint())).as("the original is not frozen").isTrue();
        }
    }

    /**
     * The filesystem holding the agent's state directory is never frozen: the ledger's writer, and every detection
     * waiting for its record, would wait for the thaw. The refusal is audited (it can be: nothing is frozen).
     */
    @Test
    void aFreezeOfTheFilesystemHoldingTheStateDirectoryIsRefusedAndWritesGoOn() throws Exception {
        try (ScratchFilesystem filesystem = ScratchFilesystem.ext4().create()) {
            Path state = Files.createDirectory(filesystem.path("state"));
            try (AgentFixture own = new AgentFixture(state)) {
                ObjectName name = ObjectNames.filesystem(filesystem.mountPoint().toString());
                own.remote().invoke(ObjectNames.agent(), "refreshTopology", new Object[0], new String[0]);
                String refusal;
                try {
                    own.remote().invoke(name, "freeze", new Object[0], new String[0]);
                    throw new AssertionError("freeze was not refused");
                } catch (RuntimeMBeanException e) {
                    refusal = e.getCause().getMessage();
                }

                assertThat(refusal).startsWith("refused: the agent's state directory " + state);
                assertThat(notFrozen(filesystem.mountPoint())).isTrue();
                assertThat(own.agent().ledger().history(io.daxguard.agent.ledger.FileKey.NONE))
                        .anyMatch(entry -> entry.action().equals("freeze") && entry.result().startsWith("refused"));
            }
        }
    }
}
