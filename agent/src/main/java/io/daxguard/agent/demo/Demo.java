package io.daxguard.agent.demo;

import io.daxguard.agent.config.DaxguardHome;
import io.daxguard.agent.daemon.AgentSettings;
import io.daxguard.agent.daemon.Agent;
import io.daxguard.agent.config.DaxguardConfig;
import io.daxguard.agent.daemon.SettingsMapping;
import io.daxguard.agent.jmx.ObjectNames;
import io.daxguard.support.linux.Fiemap;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.support.linux.NativeFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;

/**
 * {@code daxguard demo}: the product working in a minute on any Linux machine, without pmem or a faulty disk.
 *
 * <p>It makes an XFS (with reverse map and reflink) and an ext4 filesystem on loop disks in a temporary
 * directory, writes files (one plain, one reflinked pair), starts an agent on them (on a private MBean
 * server, so a running agent is not disturbed), reports media failures under a file, under the shared
 * blocks of the pair and under the XFS superblock, prints {@code daxguard status}, and removes everything.
 *
 * <p>The failures are <em>reported</em> (as the kernel's error lines or badblocks would report them), not
 * produced by failing hardware: a device that really fails reads needs either pmem, a faulty disk, or a
 * FUSE-served image with a compiled helper (the test kit's {@code FaultyDisk} does that, and the tests use
 * it); none is something a product command can count on. Everything after the report (routing through
 * the loop devices, the reverse map, paths, the ledger, the MBeans) is what happens with real errors.
 */
public final class Demo {
    private static final List<String> TOOLS = List.of("losetup", "mount", "umount", "mkfs.xfs", "mkfs.ext4", "cp");

    private Demo() {
    }

    public static int run(PrintWriter out, PrintWriter err) {
        if (!"root".equals(System.getProperty("user.name"))) {
            err.println("daxguard demo: needs root (it makes loop devices and mounts them): sudo daxguard demo");
            return 1;
        }
        List<String> missing = Shell.missing(TOOLS);
        if (!missing.isEmpty()) {
            err.println("daxguard demo: missing " + missing + " (Debian: apt-get install xfsprogs e2fsprogs "
                    + "util-linux mount coreutils)");
            return 1;
        }
        try (ScratchDisks disks = new ScratchDisks()) {
            return show(disks, out);
        } catch (Exception e) {
            err.println("daxguard demo: " + e.getMessage());
            return 1;
        } finally {
            out.flush();
        }
    }

    private static int show(ScratchDisks disks, PrintWriter out) throws Exception {
        out.println("1. making an XFS and an ext4 filesystem on loop disks under " + disks.directory());
        out.flush();
        ScratchDisks.Disk xfs = disks.filesystem("xfs", 320, "mkfs.xfs", "-q", "-m", "rmapbt=1,reflink=1");
        ScratchDisks.Disk ext4 = disks.filesystem("ext4", 64, "mkfs.ext4", "-q");
        Path report = xfs.mountPoint().resolve("reports/q3.pdf");
        Files.createDirectories(report.getParent());
        write(report, 256 * 1024, 1);
        Shell.run("cp", "--reflink=always", report.toString(), xfs.mountPoint().resolve("reports/q3-copy.pdf").toString());
        Path log = xfs.mountPoint().resolve("app.log");
        write(log, 64 * 1024, 2);
        Path notes = ext4.mountPoint().resolve("notes.txt");
        write(notes, 32 * 1024, 3);
        Shell.run("sync");
        out.println("   wrote " + report + " (and its reflinked copy q3-copy.pdf), " + log + ", " + notes);

        out.println("2. starting an agent on them");
        out.flush();
        MBeanServer server = MBeanServerFactory.newMBeanServer();
        DaxguardConfig defaults = DaxguardConfig.defaults();
        AgentSettings settings = SettingsMapping.toSettings(defaults, DaxguardHome.home(), server)
                .withStateDirectory(disks.directory().resolve("state"))
                .withWatchedMountPoints(java.util.List.of(disks.directory()));
        try (Agent agent = Agent.start(settings)) {
            out.println("3. reporting media errors, as the kernel would");
            inject(server, out, xfs.device(), firstSector(log) + 16, "a sector under app.log");
            inject(server, out, xfs.device(), firstSector(report) + 8 * 8, "a sector shared by q3.pdf and its copy");
            inject(server, out, xfs.device(), 0, "the XFS superblock: metadata");
            inject(server, out, ext4.device(), firstSector(notes), "a sector under the ext4 file notes.txt");
            out.println();
            out.println("4. daxguard status -v:");
            out.println();
            out.println(server.invoke(ObjectNames.agent(), "status", new Object[0], new String[0]));
        }
        out.println("5. cleaned up: filesystems unmounted, loop devices detached, " + disks.directory() + " removed");
        return 0;
    }

    private static void inject(MBeanServer server, PrintWriter out, String device, long sector, String what)
            throws Exception {
        out.println("   " + device + " sector " + sector + " (" + what + ")");
        out.flush();
        server.invoke(ObjectNames.agent(), "reportFailure", new Object[] {device, sector, 8L, 5},
                new String[] {"java.lang.String", "long", "long", "int"});
    }

    private static long firstSector(Path file) throws IOException {
        List<FiemapExtent> extents = new ArrayList<>();
        try (NativeFile open = NativeFile.openReadOnly(file)) {
            Fiemap.map(open, 0, Long.MAX_VALUE, Fiemap.FLAG_SYNC, Fiemap.DEFAULT_BATCH, extents::add);
        }
        if (extents.isEmpty()) {
            throw new IOException(file + " has no blocks on disk");
        }
        return extents.get(0).physical() / 512;
    }

    private static void write(Path file, int bytes, long seed) throws IOException {
        byte[] data = new byte[bytes];
        new Random(seed).nextBytes(data);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(data));
            channel.force(true);
        }
    }
}
