package io.daxguard.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.jmx.ObjectNames;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.ScratchFilesystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.management.MBeanServerConnection;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Views follow a filesystem's UUID: unmounted and mounted elsewhere, its damage is shown under the new mount point
 * (Filesystem MBean, DamagedFile MBean names, status), nothing of it under the old one, and nothing twice, also when
 * more damage of the same file is found after the move. Unmounted, its open damage stays in the status.
 */
@Tag("mount")
class RemountedFilesystemTest {
    /** One agent, one XFS with one damaged file, and a second place to mount it; all undone at close. */
    private static final class Moved implements AutoCloseable {
        final ScratchFilesystem xfs;
        final AgentFixture fixture;
        final Path elsewhere;
        final long firstSector;
        private Path mountedAt;

        Moved() throws Exception {
            xfs = ScratchFilesystem.xfs().create();
            AgentFixture started = null;
            Path directory = null;
            try {
                directory = Files.createTempDirectory("daxguard-remounted-");
                AgentFixture.writeFile(xfs.path("victim.bin"), 64 * 1024, 7);
                firstSector = sectorOf(xfs.path("victim.bin"), 4096);
                started = new AgentFixture();
            } catch (Exception | Error e) {
                if (directory != null) {
                    Files.deleteIfExists(directory);
                }
                xfs.close();
                throw e;
            }
            fixture = started;
            elsewhere = directory;
            mountedAt = xfs.mountPoint();
            try {
                report(firstSector);
            } catch (Exception | Error e) {
                close();
                throw e;
            }
        }

        MBeanServerConnection remote() throws Exception {
            return fixture.remote();
        }

        String report(long sector) throws Exception {
            return (String) remote().invoke(ObjectNames.agent(), "reportFailure", new Object[] {
                xfs.device().getFileName().toString(), sector, 1L, 5},
                    new String[] {"java.lang.String", "long", "long", "int"});
        }

        /** umount, then mount at {@code where} (null: stay unmounted); the agent told to look. */
        void moveTo(Path where) throws Exception {
            Command.run("umount", mountedAt.toString());
            mountedAt = null;
            if (where != null) {
                Command.run("mount", "-t", "xfs", xfs.device().toString(), where.toString());
                mountedAt = where;
            }
            remote().invoke(ObjectNames.agent(), "refreshTopology", new Object[0], new String[0]);
            fixture.agent().router().afterQueued(() -> null).get(); // attach's review runs on the router
        }

        String status() throws Exception {
            return (String) remote().invoke(ObjectNames.agent(), "status", new Object[0], new String[0]);
        }

        @Override
        public void close() throws Exception {
            try {
                fixture.close();
            } finally {
                try {
                    if (mountedAt != null && !mountedAt.equals(xfs.mountPoint())) {
                        Command.run("umount", mountedAt.toString());
                        mountedAt = null;
                    }
                    if (mountedAt == null) {
                        // Back where the scratch filesystem unmounts it.
                        Command.run("mount", "-t", "xfs", xfs.device().toString(), xfs.mountPoint().toString());
                    }
                } finally {
                    try {
                        Files.deleteIfExists(elsewhere);
                    } finally {
                        xfs.close();
                    }
                }
            }
        }
    }

    private static long sectorOf(Path file, long fileOffset) throws Exception {
        FiemapExtent extent = AgentFixture.extents(file).get(0);
        return (extent.physical() + fileOffset) / 512;
    }

    @Test
    void theDamagedFilesMBeanMovesToTheNewMountPoint() throws Exception {
        try (Moved moved = new Moved()) {
            moved.moveTo(moved.elsewhere);

            assertThat(List.of(
                    moved.remote().isRegistered(ObjectNames.damagedFile(moved.elsewhere.toString(), "/victim.bin")),
                    moved.remote().queryNames(ObjectNames.damagedFilesOf(moved.xfs.mountPoint().toString()), null)
                            .isEmpty())).containsExactly(true, true);
        }
    }

    @Test
    void theFilesystemMBeanAtTheNewMountPointCountsTheFileOnceWithDamageFoundBeforeAndAfterTheMove() throws Exception {
        try (Moved moved = new Moved()) {
            moved.moveTo(moved.elsewhere);

            moved.report(sectorOf(moved.elsewhere.resolve("victim.bin"), 8 * 4096));

            assertThat(List.of(
                    moved.remote().getAttribute(ObjectNames.filesystem(moved.elsewhere.toString()), "DamagedFileCount"),
                    moved.remote().getAttribute(ObjectNames.agent(), "DamagedFileCount"),
                    moved.remote().queryNames(ObjectNames.damagedFilesOf(moved.elsewhere.toString()), null).size()))
                    .containsExactly(1, 1, 1);
        }
    }

    @Test
    void theSameSectorReportedAfterTheMoveIsKnownDamage() throws Exception {
        try (Moved moved = new Moved()) {
            moved.moveTo(moved.elsewhere);

            assertThat(moved.report(moved.firstSector)).isEqualTo("already known: 1 record(s)");
        }
    }

    @Test
    void theStatusListsTheFileUnderTheNewMountPointOnly() throws Exception {
        try (Moved moved = new Moved()) {
            moved.moveTo(moved.elsewhere);

            String status = moved.status();

            assertThat(status.lines().map(String::strip).filter(line -> line.contains("victim.bin  (inode")))
                    .singleElement().asString().startsWith(moved.elsewhere + "/victim.bin  (inode "
                            + Files.getAttribute(moved.elsewhere.resolve("victim.bin"), "unix:ino") + ",");
        }
    }

    @Test
    void theOpenDamageOfAnUnmountedFilesystemStaysInTheStatus() throws Exception {
        try (Moved moved = new Moved()) {
            String mountPoint = moved.xfs.mountPoint().toString();
            moved.moveTo(null);

            String status = moved.status();

            assertThat(status).contains("(not mounted now; last mounted at " + mountPoint + ")")
                    .contains(mountPoint + "/victim.bin  (inode ");
        }
    }
}
