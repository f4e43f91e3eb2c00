package io.daxguard.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.jmx.ObjectNames;
import io.daxguard.agent.ledger.DamageRecord;
import io.daxguard.agent.ledger.DamageState;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.ScratchFilesystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.management.MBeanServerConnection;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Found by trying the agent as an adversary (branch i12-attack): a filesystem's identity is its UUID, but a UUID
 * is not unique on a host. A block-level clone of a damaged filesystem (a backup image, a snapshot, a replica made
 * with {@code dd}) mounted on another device, and a filesystem re-made with the UUID it had
 * ({@code mkfs.xfs -m uuid=}, {@code mkfs.ext4 -U}: appliances do this to keep fstab entries), must not take over
 * the damage of the disk it is not on, nor lose the damage of the disk it is on.
 */
@Tag("mount")
class SameUuidElsewhereTest {
    /**
     * The clone on another loop device has none of the original disk's bad sectors; yet the views follow the UUID to
     * the clone: its Filesystem MBean counts the original's damaged file, and the file's DamagedFile MBean is named
     * after the clone's mount point. (Reproduced by hand with ext4 and {@code daxguard status}: both filesystems
     * listed UNHEALTHY with the same two files.)
     */
    @Test
    void aCloneWithTheSameUuidOnAnotherDiskShowsNoneOfTheOriginalsDamage() throws Exception {
        try (ScratchFilesystem xfs = ScratchFilesystem.xfs().create(); AgentFixture fixture = new AgentFixture()) {
            AgentFixture.writeFile(xfs.path("victim.bin"), 64 * 1024, 7);
            long sector = (AgentFixture.extents(xfs.path("victim.bin")).get(0).physical() + 8192) / 512;
            MBeanServerConnection remote = fixture.remote();
            report(remote, xfs.device().getFileName().toString(), sector);
            String original = xfs.mountPoint().toString();

            try (Clone clone = Clone.of(xfs)) {
                remote.invoke(ObjectNames.agent(), "refreshTopology", new Object[0], new String[0]);
                fixture.agent().router().afterQueued(() -> null).get();

                String cloneMount = clone.mountPoint.toString();
                assertThat(List.of(
                        remote.getAttribute(ObjectNames.filesystem(cloneMount), "DamagedFileCount"),
                        remote.queryNames(ObjectNames.damagedFilesOf(cloneMount), null).size(),
                        remote.isRegistered(ObjectNames.damagedFile(original, "/victim.bin"))))
                        .containsExactly(0, 0, true);
            }
        }
    }

    /**
     * Re-made with its old UUID, the filesystem on the same disk is taken for the old one: the open record stands
     * (not FILESYSTEM_GONE, not re-resolved), its file's inode and generation are looked up in the new filesystem,
     * not found, and the identity check closes the damage as FILE_GONE. The bad sector, now under another file, is
     * then open nowhere: the filesystem reads ONLINE. (By hand: {@code daxguard status} showed the re-made XFS
     * ONLINE, and {@code events} "file-gone: inode 131 ... no longer exists".)
     */
    @Test
    void aFilesystemRemadeWithItsOldUuidKeepsTheBadSectorOpen() throws Exception {
        try (ScratchFilesystem xfs = ScratchFilesystem.xfs().create(); AgentFixture fixture = new AgentFixture()) {
            AgentFixture.writeFile(xfs.path("victim.bin"), 64 * 1024, 7);
            long sector = (AgentFixture.extents(xfs.path("victim.bin")).get(0).physical() + 8192) / 512;
            MBeanServerConnection remote = fixture.remote();
            report(remote, xfs.device().getFileName().toString(), sector);
            String uuid = Command.run("blkid", "-s", "UUID", "-o", "value", xfs.device().toString()).strip();
            Command.run("umount", xfs.mountPoint().toString());
            try {
                Command.run("mkfs.xfs", "-q", "-f", "-m", "rmapbt=1,reflink=1,uuid=" + uuid, xfs.device().toString());
            } finally {
                Command.run("mount", "-t", "xfs", xfs.device().toString(), xfs.mountPoint().toString());
            }
            AgentFixture.writeFile(xfs.path("newcomer.bin"), 64 * 1024, 8);
            remote.invoke(ObjectNames.agent(), "refreshTopology", new Object[0], new String[0]);
            fixture.agent().router().afterQueued(() -> null).get();

            fixture.agent().checkFiles(); // the periodic identity check, run now

            long byteOnDevice = sector * 512;
            List<DamageRecord> openOnTheSector = fixture.agent().ledger().records().stream()
                    .filter(r -> r.state() == DamageState.OPEN)
                    .filter(r -> r.offset() <= byteOnDevice && byteOnDevice < r.offset() + r.length())
                    .toList();
            assertThat(openOnTheSector).isNotEmpty();
        }
    }

    private static String report(MBeanServerConnection remote, String device, long sector) throws Exception {
        return (String) remote.invoke(ObjectNames.agent(), "reportFailure", new Object[] {device, sector, 1L, 5},
                new String[] {"java.lang.String", "long", "long", "int"});
    }

    /** A block copy of a frozen XFS on a loop device of its own, mounted read-only (nouuid); all undone at close. */
    private static final class Clone implements AutoCloseable {
        final Path directory;
        final Path mountPoint;
        private String loop;
        private boolean mounted;

        private Clone(Path directory) {
            this.directory = directory;
            this.mountPoint = directory.resolve("mnt");
        }

        static Clone of(ScratchFilesystem xfs) throws Exception {
            Clone clone = new Clone(Files.createTempDirectory("daxguard-clone-"));
            try {
                Path image = clone.directory.resolve("clone.img");
                Command.run("xfs_freeze", "-f", xfs.mountPoint().toString());
                try {
                    Command.run("cp", "--sparse=always", xfs.image().toString(), image.toString());
                } finally {
                    Command.run("xfs_freeze", "-u", xfs.mountPoint().toString());
                }
                clone.loop = Command.run("losetup", "--find", "--show", image.toString()).strip();
                Files.createDirectory(clone.mountPoint);
                Command.run("mount", "-t", "xfs", "-o", "ro,nouuid", clone.loop, clone.mountPoint.toString());
                clone.mounted = true;
                return clone;
            } catch (Exception | Error e) {
                clone.close();
                throw e;
            }
        }

        @Override
        public void close() throws Exception {
            try {
                if (mounted) {
                    Command.run("umount", mountPoint.toString());
                }
            } finally {
                try {
                    if (loop != null) {
                        Command.run("losetup", "-d", loop);
                    }
                } finally {
                    AgentFixture.deleteTree(directory);
                }
            }
        }
    }
}
