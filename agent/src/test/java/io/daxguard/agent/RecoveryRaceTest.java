package io.daxguard.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.jmx.ObjectNames;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.testkit.ScratchFilesystem;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.RuntimeMBeanException;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Quarantine, rewrite and restore while another thread swaps a directory on the way for a symlink to a decoy
 * directory (holding files of the same names) in a loop: each action refuses or acts on the recorded file, never on
 * a decoy. Every file's damage is reported before the swapping starts; the checks read through descriptors opened
 * before it too, so they see the real files whatever the names lead to.
 */
@Tag("mount")
class RecoveryRaceTest {
    private static final int FILES = 12;
    private static final int SIZE = 16 * 1024;
    private static final int PAGE = 4096;

    @RegisterExtension
    static final ScratchFilesystem XFS = ScratchFilesystem.xfs().build();

    @RegisterExtension
    @Order(Integer.MAX_VALUE) // after XFS: started once it is mounted, stopped before it is unmounted
    static final RunningAgent AGENT = RunningAgent.started();

    private static MBeanServerConnection remote() {
        return AGENT.remote();
    }

    /** Real and decoy files of the same names, seeded differently; the real ones' second pages reported failed. */
    private static List<ObjectName> realAndDecoy(String prefix, Path real, Path decoy) throws Exception {
        Files.createDirectories(real);
        Files.createDirectories(decoy);
        List<ObjectName> damaged = new ArrayList<>();
        for (int i = 0; i < FILES; i++) {
            String name = prefix + i + ".bin";
            AgentFixture.writeFile(real.resolve(name), SIZE, i);
            AgentFixture.writeFile(decoy.resolve(name), SIZE, 1000 + i);
            FiemapExtent extent = AgentFixture.extents(real.resolve(name)).get(0);
            remote().invoke(ObjectNames.agent(), "reportFailure", new Object[] {XFS.device().getFileName().toString(),
                (extent.physical() + PAGE) / 512, 8L, 5}, new String[] {"java.lang.String", "long", "long", "int"});
            damaged.add(ObjectNames.damagedFile(XFS.mountPoint().toString(),
                    "/" + XFS.mountPoint().relativize(real.resolve(name))));
        }
        return damaged;
    }

    /** What the operation's argument is, given the file's Path now (rewrite confirms it). */
    @FunctionalInterface
    private interface Argument {
        String of(String pathNow);
    }

    /**
     * Runs the operation on the file until it is done, at most 10 times: while the swapping goes on the agent may
     * follow the file to {@code dir.away} and back (its MBean is named again each time), so each attempt finds the
     * file's MBean by inode and its Path first. Returns every attempt's outcome, the last first.
     */
    private static String outcome(long inode, String operation, Argument argument) throws Exception {
        List<String> attempts = new ArrayList<>();
        for (int attempt = 0; attempt < 10; attempt++) {
            String result = attempt(inode, operation, argument);
            attempts.add(0, result);
            if (result.startsWith("done")) {
                break;
            }
        }
        return String.join(" | ", attempts);
    }

    private static String attempt(long inode, String operation, Argument argument) throws Exception {
        for (ObjectName name : remote().queryNames(new ObjectName("io.daxguard:type=DamagedFile,*"), null)) {
            try {
                if (!Long.valueOf(inode).equals(remote().getAttribute(name, "Inode"))) {
                    continue;
                }
                String path = (String) remote().getAttribute(name, "Path");
                String given = argument == null ? null : argument.of(path);
                Object[] arguments = given == null ? new Object[0] : new Object[] {given};
                String[] signature = given == null ? new String[0] : new String[] {"java.lang.String"};
                return "done: " + remote().invoke(name, operation, arguments, signature);
            } catch (RuntimeMBeanException e) {
                return "refused: " + e.getCause().getMessage();
            } catch (javax.management.InstanceNotFoundException renamedMeanwhile) {
                return "refused: its MBean was named again meanwhile";
            }
        }
        return "refused: no MBean for inode " + inode;
    }

    private static long inode(Path file) throws Exception {
        return (Long) Files.getAttribute(file, "unix:ino");
    }

    /** Each file's bytes, read through descriptors opened now (whatever names lead to later). */
    private static List<FileChannel> held(Path directory, String prefix) throws Exception {
        List<FileChannel> channels = new ArrayList<>();
        for (int i = 0; i < FILES; i++) {
            channels.add(FileChannel.open(directory.resolve(prefix + i + ".bin"), StandardOpenOption.READ));
        }
        return channels;
    }

    private static byte[] secondPage(FileChannel channel) throws Exception {
        ByteBuffer page = ByteBuffer.allocate(PAGE);
        channel.read(page, PAGE);
        return page.array();
    }

    private static byte[] secondPageOf(long seed) {
        byte[] data = new byte[SIZE];
        new java.util.Random(seed).nextBytes(data);
        return Arrays.copyOfRange(data, PAGE, 2 * PAGE);
    }

    private static void closeAll(List<FileChannel> channels) throws Exception {
        for (FileChannel channel : channels) {
            channel.close();
        }
    }

    @Test
    void rewriteUnderASwappedParentWritesOnlyTheRecordedFiles() throws Exception {
        Path real = XFS.path("rw/dir");
        Path decoy = XFS.path("rw/decoy");
        List<ObjectName> damaged = realAndDecoy("r", real, decoy);
        List<FileChannel> reals = held(real, "r");
        List<FileChannel> decoys = held(decoy, "r");
        List<Long> inodes = new ArrayList<>();
        for (int i = 0; i < FILES; i++) {
            inodes.add(inode(real.resolve("r" + i + ".bin")));
        }
        List<String> outcomes = new ArrayList<>();
        try (SymlinkSwapper swapper = SymlinkSwapper.start(real, decoy)) {
            for (int i = 0; i < FILES; i++) {
                outcomes.add(outcome(inodes.get(i), "forceRewriteZeros", path -> path));
            }
        }
        try {
            for (int i = 0; i < FILES; i++) {
                assertThat(secondPage(decoys.get(i))).as("decoy %d after: %s", i, outcomes.get(i))
                        .isEqualTo(secondPageOf(1000 + i));
                if (outcomes.get(i).startsWith("done")) {
                    assertThat(secondPage(reals.get(i))).as("real %d after: %s", i, outcomes.get(i)).containsOnly(0);
                }
            }
            assertThat(outcomes).as("some acted, so the race ran through the writes").anyMatch(o -> o.startsWith("done"));
        } finally {
            closeAll(reals);
            closeAll(decoys);
        }
    }

    @Test
    void quarantineUnderASwappedParentMovesOnlyTheRecordedFiles() throws Exception {
        Path real = XFS.path("q/dir");
        Path decoy = XFS.path("q/decoy");
        List<ObjectName> damaged = realAndDecoy("q", real, decoy);
        List<Long> decoyInodes = new ArrayList<>();
        List<Long> realInodes = new ArrayList<>();
        for (int i = 0; i < FILES; i++) {
            decoyInodes.add((Long) Files.getAttribute(decoy.resolve("q" + i + ".bin"), "unix:ino"));
            realInodes.add((Long) Files.getAttribute(real.resolve("q" + i + ".bin"), "unix:ino"));
        }
        List<String> outcomes = new ArrayList<>();
        try (SymlinkSwapper swapper = SymlinkSwapper.start(real, decoy)) {
            for (int i = 0; i < FILES; i++) {
                outcomes.add(outcome(realInodes.get(i), "quarantine", null));
            }
        }

        List<Long> quarantined = new ArrayList<>();
        try (var moved = Files.list(XFS.path(".daxguard-quarantine"))) {
            for (Path file : moved.toList()) {
                quarantined.add((Long) Files.getAttribute(file, "unix:ino"));
            }
        }
        for (int i = 0; i < FILES; i++) {
            assertThat(decoy.resolve("q" + i + ".bin")).as("decoy %d after: %s", i, outcomes.get(i)).exists();
            if (outcomes.get(i).startsWith("done")) {
                assertThat(quarantined).as("real %d after: %s", i, outcomes.get(i)).contains(realInodes.get(i));
            }
        }
        assertThat(quarantined).as("outcomes %s", outcomes).doesNotContainAnyElementsOf(decoyInodes);
        assertThat(outcomes).anyMatch(o -> o.startsWith("done"));
    }

    /**
     * The replica's directory is swapped for a symlink to a directory with files of the same names and sizes: a
     * restore copies the replica's bytes or refuses, never the decoy's.
     */
    @Test
    void restoreUnderASwappedReplicaDirectoryCopiesOnlyTheReplica() throws Exception {
        Path damagedDirectory = XFS.path("rs/files");
        List<ObjectName> damaged = realAndDecoy("s", damagedDirectory, XFS.path("rs/unused"));
        Path replicas = XFS.path("rs/replicas");
        Path decoy = XFS.path("rs/decoy");
        Files.createDirectories(replicas);
        Files.createDirectories(decoy);
        for (int i = 0; i < FILES; i++) {
            AgentFixture.writeFile(replicas.resolve("s" + i + ".bin"), SIZE, i);
            AgentFixture.writeFile(decoy.resolve("s" + i + ".bin"), SIZE, 2000 + i);
        }
        List<FileChannel> restored = held(damagedDirectory, "s");
        List<String> outcomes = new ArrayList<>();
        try (SymlinkSwapper swapper = SymlinkSwapper.start(replicas, decoy)) {
            for (int i = 0; i < FILES; i++) {
                String replica = replicas.resolve("s" + i + ".bin").toString();
                outcomes.add(outcome(inode(damagedDirectory.resolve("s" + i + ".bin")), "forceRestoreFrom",
                        path -> replica));
            }
        }
        try {
            for (int i = 0; i < FILES; i++) {
                assertThat(secondPage(restored.get(i))).as("file %d after: %s", i, outcomes.get(i))
                        .isNotEqualTo(secondPageOf(2000 + i)).isEqualTo(secondPageOf(i));
            }
            assertThat(outcomes).anyMatch(o -> o.startsWith("done"));
        } finally {
            closeAll(restored);
        }
    }
}
