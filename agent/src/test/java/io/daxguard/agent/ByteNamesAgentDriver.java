package io.daxguard.agent;

import io.daxguard.agent.daemon.Agent;
import io.daxguard.agent.daemon.AgentSettings;
import io.daxguard.agent.jmx.ObjectNames;
import io.daxguard.agent.source.SourceSettings;
import io.daxguard.spi.LinuxPath;
import io.daxguard.support.linux.Fiemap;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.support.linux.NativeFile;
import io.daxguard.testkit.ByteNames;
import io.daxguard.testkit.ScratchFilesystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;

/**
 * Run in a child JVM by {@link AgentWithoutAUtf8LocaleTest}, in a mount namespace of its own, with whatever
 * locale the test gives it: makes an XFS mounted on a directory named {@code mnt-\xe9-é} (a Latin-1 byte, then a
 * UTF-8 é, which a JVM whose charset is ASCII cannot encode either), two files named with Latin-1 bytes, starts an
 * agent, reports a failure under each, and verifies one and rewrites the other by name. Prints what it saw, one
 * {@code key value} line each, in ASCII: a character beyond it as a Java escape (backslash, u, four hex digits),
 * since an ASCII {@code System.out} would print it as {@code ?}.
 */
public final class ByteNamesAgentDriver {
    private static final long DAMAGED_PAGE = 2 * 4096;

    private ByteNamesAgentDriver() {
    }

    public static void main(String[] args) throws Exception {
        print("encoding", System.getProperty("sun.jnu.encoding"));
        try (ScratchFilesystem xfs = ScratchFilesystem.xfs().mountDirectoryNamed(LinuxPath.fromDisplay("mnt-\\xe9-é"))
                .create()) {
            LinuxPath verified = file(xfs, "caf\u00e9-verify.bin", 1);
            LinuxPath rewritten = file(xfs, "caf\u00e9-rewrite.bin", 2);
            Path state = Files.createTempDirectory("daxguard-state-");
            MBeanServer server = MBeanServerFactory.newMBeanServer();
            try (Agent agent = Agent.start(AgentSettings.defaults().withMbeanServer(server)
                    .withWatchedMountPoints(AgentFixture.SCRATCH).withStateDirectory(state)
                    .withSources(SourceSettings.defaults().withKmsgEnabled(false)))) {
                print("started", "");
                String mountPoint = xfs.mountPointBytes().display();
                print("filesystems", agent.filesystems().all().stream()
                        .map(filesystem -> filesystem.mount().mountPoint().display()).toList());
                for (LinuxPath file : List.of(verified, rewritten)) {
                    long sector = (firstByte(file) + DAMAGED_PAGE) / 512;
                    print("summary", server.invoke(ObjectNames.agent(), "reportFailure",
                            new Object[] {xfs.device().getFileName().toString(), sector, 1L, 5},
                            new String[] {"java.lang.String", "long", "long", "int"}));
                }
                ObjectName verify = ObjectNames.damagedFile(mountPoint, "/caf\\xe9-verify.bin");
                ObjectName rewrite = ObjectNames.damagedFile(mountPoint, "/caf\\xe9-rewrite.bin");
                print("path", server.getAttribute(verify, "Path"));
                print("filesystem", server.getAttribute(verify, "Filesystem"));
                server.invoke(verify, "verify", new Object[0], new String[0]);
                print("verify", FileStates.of(server, verify));
                server.invoke(rewrite, "forceRewriteZeros", new Object[] {"/caf\\xe9-rewrite.bin"},
                        new String[] {"java.lang.String"});
                print("rewrite", FileStates.of(server, rewrite));
            } finally {
                AgentFixture.deleteTree(state);
            }
        }
        print("done", "");
    }

    /** {@code key value}, every character beyond ASCII written as a Java escape. */
    static void print(String key, Object value) {
        StringBuilder line = new StringBuilder(key).append(' ');
        for (char c : String.valueOf(value).toCharArray()) {
            line.append(c < 128 ? String.valueOf(c) : String.format("\\u%04x", (int) c));
        }
        System.out.println(line);
        System.out.flush();
    }

    /** A file of 64 KiB written under a plain name, then renamed to {@code latin1Name}'s bytes. */
    private static LinuxPath file(ScratchFilesystem xfs, String latin1Name, long seed) throws Exception {
        return fileNamed(xfs, ByteNames.latin1(latin1Name), seed);
    }

    /** A file of 64 KiB written under a plain name, then renamed to {@code name} (bytes) at the mount point. */
    static LinuxPath fileNamed(ScratchFilesystem filesystem, LinuxPath name, long seed) throws Exception {
        Path plain = filesystem.path("plain-" + seed);
        AgentFixture.writeFile(plain, 64 * 1024, seed);
        return ByteNames.rename(filesystem.mountPointBytes().join(LinuxPath.ofText(plain.getFileName().toString())),
                filesystem.mountPointBytes().join(name));
    }

    /** The first byte of the device the file's data is on (FIEMAP, synced first). */
    static long firstByte(LinuxPath file) throws Exception {
        List<FiemapExtent> extents = new ArrayList<>();
        try (NativeFile open = NativeFile.openReadOnly(file)) {
            Fiemap.map(open, 0, Long.MAX_VALUE, Fiemap.FLAG_SYNC, Fiemap.DEFAULT_BATCH, extents::add);
        }
        return extents.get(0).physical();
    }
}
