package io.daxguard.xfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daxguard.spi.AttachRefusedException;
import io.daxguard.spi.FailureRange;
import io.daxguard.spi.FilesystemPlugin;
import io.daxguard.spi.Holder;
import io.daxguard.spi.LinuxPath;
import io.daxguard.spi.Mount;
import io.daxguard.spi.PluginContext;
import io.daxguard.spi.ReverseMapStatus;
import io.daxguard.support.linux.FileStatus;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.OpenDescriptors;
import io.daxguard.testkit.Privileges;
import io.daxguard.testkit.ScratchFilesystem;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Attaching: what the holder learns, and the filesystems and callers it refuses with an actionable reason. */
@Tag("mount")
class XfsAttachTest {
    private static final PluginContext CONTEXT = PluginContext.of(System.getLogger("test"));

    @Test
    void isFoundByServiceLoaderAsTheXfsPlugin() {
        assertThat(ServiceLoader.load(FilesystemPlugin.class).stream().map(ServiceLoader.Provider::get))
                .anySatisfy(plugin -> {
                    assertThat(plugin).isInstanceOf(XfsPlugin.class);
                    assertThat(plugin.type()).isEqualTo("xfs");
                });
    }

    @Test
    void learnsTheUuidBlkidReportsTheBlockSizeAndTheSize() throws IOException {
        Privileges.requireRootLoopAnd("blkid");
        try (ScratchFilesystem fs = ScratchFilesystem.xfs().create();
             Holder holder = new XfsPlugin().attach(XfsFixtures.mountOf(fs), CONTEXT)) {
            String blkid = Command.run("blkid", "-p", "-s", "UUID", "-o", "value", fs.device().toString()).strip();

            assertThat(holder.info()).satisfies(info -> {
                assertThat(info.uuid()).isEqualTo(blkid);
                assertThat(info.blockSize()).isEqualTo(4096);
                assertThat(info.size()).isEqualTo(320L << 20);
                assertThat(info.reverseMap()).isEqualTo("rmapbt");
            });
        }
    }

    @Test
    void holdsXfsMadeWithoutTheReverseMapBtreeThroughAnIndexOfItsFiles() throws Exception {
        try (ScratchFilesystem fs = ScratchFilesystem.xfs().mkfsOptions("-m", "rmapbt=0,reflink=0").create();
             Holder holder = new XfsPlugin().attach(XfsFixtures.mountOf(fs), CONTEXT)) {

            assertThat(holder.info().reverseMap()).isEqualTo("index:fiemap");
            assertThat(holder.awaitReverseMap(Duration.ofMinutes(1))).isTrue();
            assertThat(holder.reverseMapStatus()).hasValueSatisfying(
                    status -> assertThat(status.state()).isEqualTo(ReverseMapStatus.State.READY));
        }
    }

    @Test
    void closingTheIndexedHolderStopsItsIndexThreadAndKeepsNoDescriptor() throws Exception {
        try (ScratchFilesystem fs = ScratchFilesystem.xfs().mkfsOptions("-m", "rmapbt=0,reflink=0").create()) {
            Holder holder = new XfsPlugin().attach(XfsFixtures.mountOf(fs), CONTEXT);
            holder.awaitReverseMap(Duration.ofMinutes(1));
            holder.notifyFailure(FailureRange.of(0, 1 << 20));
            holder.close();

            assertThat(Thread.getAllStackTraces().keySet()).noneMatch(thread -> thread.isAlive()
                    && thread.getName().equals("daxguard-index " + fs.mountPoint()));
            assertThat(OpenDescriptors.targets()).doesNotContain(fs.mountPoint().toString());
        }
    }

    @Test
    void refusesACallerWithoutCapSysAdmin() throws IOException {
        Privileges.requireRootLoopAnd("setpriv");
        try (ScratchFilesystem fs = ScratchFilesystem.xfs().create()) {
            Mount mount = XfsFixtures.mountOf(fs);
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();

            // The same attach, in a JVM whose capability sets lack CAP_SYS_ADMIN (root otherwise).
            Command.Result result = Command.tryRun("setpriv", "--inh-caps=-sys_admin", "--bounding-set=-sys_admin",
                    java, "-cp", System.getProperty("java.class.path"), AttachInChildProcess.class.getName(),
                    mount.mountPoint().toString(), mount.device().toString(), mount.source());

            assertThat(result.stdout().strip()).as("stderr: %s", result.stderr())
                    .isEqualTo("refused: " + XfsPlugin.NO_CAP_SYS_ADMIN);
        }
    }

    @Test
    void refusesAFilesystemThatIsNotXfs() throws IOException {
        Path shm = Path.of("/dev/shm");
        Mount tmpfs = new Mount(0, FileStatus.ofPath(shm).device(), "/", LinuxPath.of(shm), "xfs", "tmpfs", "rw");

        assertThatThrownBy(() -> new XfsPlugin().attach(tmpfs, CONTEXT))
                .isInstanceOfSatisfying(AttachRefusedException.class,
                        refused -> assertThat(refused.reason()).startsWith("not an XFS filesystem"));
    }

    @Test
    void keepsNoDescriptorOnTheMountPointSoTheAdministratorCanUnmount() throws IOException {
        try (ScratchFilesystem fs = ScratchFilesystem.xfs().create();
             Holder holder = new XfsPlugin().attach(XfsFixtures.mountOf(fs), CONTEXT)) {
            holder.notifyFailure(FailureRange.of(0, 4096));

            assertThat(OpenDescriptors.targets()).doesNotContain(fs.mountPoint().toString());
        }
    }


    @Test
    void refusesQueriesAfterClose() throws IOException {
        try (ScratchFilesystem fs = ScratchFilesystem.xfs().create()) {
            Holder holder = new XfsPlugin().attach(XfsFixtures.mountOf(fs), CONTEXT);
            holder.close();

            assertThatThrownBy(() -> holder.notifyFailure(FailureRange.of(0, 1)))
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    /** Attaches in a child JVM and prints {@code attached} or {@code refused: <reason>}. */
    public static final class AttachInChildProcess {
        public static void main(String[] args) throws IOException {
            Mount mount = new Mount(0, io.daxguard.spi.DeviceNumber.parse(args[1]), "/", LinuxPath.ofText(args[0]),
                    "xfs",
                    args[2], "rw");
            try (Holder holder = new XfsPlugin().attach(mount, CONTEXT)) {
                System.out.println("attached " + holder);
            } catch (AttachRefusedException e) {
                System.out.println("refused: " + e.reason());
            }
        }
    }
}
