package io.daxguard.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daxguard.agent.jmx.ObjectNames;
import io.daxguard.agent.recovery.MirrorTreeReplicaProvider;
import io.daxguard.agent.recovery.RecoverySettings;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.FaultyDisk;
import io.daxguard.testkit.Privileges;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.management.Notification;
import javax.management.NotificationListener;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.RuntimeMBeanException;
import javax.management.openmbean.CompositeData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Repairs from jconsole's point of view (a real RMI connector) on a faulty XFS disk whose bad sectors fail
 * for real: every test damages its own file, reports the bad sector as the kernel would, and repairs it. The
 * verify, rewrite and restore tests on every logical sector size make a disk of their own, XFS or ext4, and
 * damage the last, partial page of a file: its logical sector reaches past the end of the file.
 */
@Tag("mount")
class RecoveryJmxTest {
    @RegisterExtension
    static final FaultyDisk DISK = FaultyDisk.xfs().build();
    private static final int FILE_SIZE = 64 * 1024;
    private static final long DAMAGED_PAGE = 2 * 4096;

    private static AgentFixture fixture;
    private static MBeanServerConnection remote;

    @BeforeAll
    static void startAgent() throws Exception {
        Files.createDirectories(DISK.path("mirror"));
        fixture = new AgentFixture(null, RecoverySettings.defaults().withReplicaRoots(AgentFixture.SCRATCH).withReplicaProvider(
                new MirrorTreeReplicaProvider(Map.of(DISK.mountPoint(), DISK.path("mirror")))));
        remote = fixture.remote();
    }

    @AfterAll
    static void stopAgent() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    private static Path fileWithData(String name, long seed) throws Exception {
        Path file = DISK.path(name);
        AgentFixture.writeFile(file, FILE_SIZE, seed);
        return file;
    }

    private static byte[] data(long seed) {
        byte[] bytes = new byte[FILE_SIZE];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /** Makes the first sector of the file's third page bad and reports it as the kernel would. */
    private static ObjectName damage(Path file) throws Exception {
        long sector = DISK.sectorOf(file, DAMAGED_PAGE);
        DISK.poison(sector, 1);
        remote.invoke(ObjectNames.agent(), "reportFailure", new Object[] {DISK.deviceName(), sector, 1L, 5},
                new String[] {"java.lang.String", "long", "long", "int"});
        return mbean(file);
    }

    private static ObjectName mbean(Path file) {
        return ObjectNames.damagedFile(DISK.mountPoint().toString(), "/" + DISK.mountPoint().relativize(file));
    }

    private static Object invoke(ObjectName name, String operation, String... arguments) throws Exception {
        String[] signature = new String[arguments.length];
        java.util.Arrays.fill(signature, "java.lang.String");
        return remote.invoke(name, operation, arguments, signature);
    }

    private static String state(ObjectName name) throws Exception {
        return FileStates.of(remote, name);
    }

    /**
     * Ends 1000 bytes into a page that is not the first of a 16 KiB logical sector: the last page, and the logical
     * sector holding it, are partly past the end of the file, and a 16 KiB sector is more than the last page.
     */
    private static final int PARTIAL_FILE_SIZE = 68 * 1024 + 1000;

    /** What is reported of a bad 512-byte sector on a disk with larger logical sectors. */
    private enum Reported {
        /** The whole logical sector around it, as the kernel log source and the scrub record it. */
        LOGICAL_SECTOR,
        /** Only that 512-byte sector, as an operator or a sysfs badblocks list may name it. */
        ONE_512_BYTE_SECTOR
    }

    /**
     * A file whose last byte is on a bad 512-byte sector, reported; the file's filesystem attached and its owners
     * nameable first.
     */
    private record DamagedTail(Path file, ObjectName mbean, long badSector) {
        static DamagedTail of(FaultyDisk disk, long seed, Reported reported) throws Exception {
            Path file = disk.path("tail.bin");
            AgentFixture.writeFile(file, PARTIAL_FILE_SIZE, seed);
            remote.invoke(ObjectNames.agent(), "refreshTopology", new Object[0], new String[0]);
            remote.invoke(ObjectNames.filesystem(disk.mountPoint().toString()), "awaitReverseMap", new Object[] {60},
                    new String[] {"int"});
            long badSector = disk.sectorOf(file, PARTIAL_FILE_SIZE - 1);
            disk.poison(badSector, 1);
            long sectors = reported == Reported.LOGICAL_SECTOR ? disk.logicalSectorSize() / 512 : 1;
            long firstSector = Math.floorDiv(badSector, sectors) * sectors;
            remote.invoke(ObjectNames.agent(), "reportFailure", new Object[] {disk.deviceName(), firstSector, sectors,
                    5}, new String[] {"java.lang.String", "long", "long", "int"});
            return new DamagedTail(file, ObjectNames.damagedFile(disk.mountPoint().toString(), "/tail.bin"), badSector);
        }
    }

    /** Where {@code content} stops being {@code original}, and where its zero tail starts: readable in a failure. */
    private static String shape(byte[] content, byte[] original) {
        int kept = java.util.Arrays.mismatch(content, original);
        int zeros = content.length;
        while (zeros > 0 && content[zeros - 1] == 0) {
            zeros--;
        }
        return content.length + " bytes, as written up to byte " + (kept < 0 ? content.length : kept)
                + ", zeros from byte " + zeros;
    }

    private static byte[] data(long seed, int size) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    @LogicalSectorSizes.OnEveryLogicalSectorSize
    void oneReported512ByteSectorIsRecordedAsTheWholeLogicalSectorHoldingIt(String type, int logicalSectorSize)
            throws Exception {
        try (FaultyDisk disk = LogicalSectorSizes.faultyDisk(type, logicalSectorSize).create()) {
            DamagedTail damaged = DamagedTail.of(disk, 25, Reported.ONE_512_BYTE_SECTOR);

            CompositeData range = ((CompositeData[]) remote.getAttribute(damaged.mbean(), "DamagedRanges"))[0];

            assertThat(range.get("deviceOffset") + "+" + range.get("length")).isEqualTo(
                    LogicalSectorSizes.logicalSectorStart(damaged.badSector() * 512, logicalSectorSize) + "+"
                            + logicalSectorSize);
        }
    }

    @LogicalSectorSizes.OnEveryLogicalSectorSize
    void verifyClosesABadLogicalSectorThatReadsCleanAgain(String type, int logicalSectorSize) throws Exception {
        try (FaultyDisk disk = LogicalSectorSizes.faultyDisk(type, logicalSectorSize).create()) {
            DamagedTail damaged = DamagedTail.of(disk, 21, Reported.LOGICAL_SECTOR);
            disk.clear(damaged.badSector(), 1);

            String result = (String) invoke(damaged.mbean(), "verify");

            assertThat(state(damaged.mbean())).as(result).isEqualTo("VERIFIED_GOOD");
        }
    }

    @LogicalSectorSizes.OnEveryLogicalSectorSize
    void rewriteZerosClosesABadLogicalSectorAsRewritten(String type, int logicalSectorSize) throws Exception {
        try (FaultyDisk disk = LogicalSectorSizes.faultyDisk(type, logicalSectorSize).create()) {
            DamagedTail damaged = DamagedTail.of(disk, 22, Reported.LOGICAL_SECTOR);

            String result = (String) invoke(damaged.mbean(), "rewriteZeros", "/tail.bin");

            assertThat(state(damaged.mbean())).as(result).isEqualTo("REWRITTEN");
        }
    }

    @LogicalSectorSizes.OnEveryLogicalSectorSize
    void rewriteZerosOfOneReported512ByteSectorZeroesItsWholeLogicalSectorAndNothingElse(String type,
            int logicalSectorSize) throws Exception {
        try (FaultyDisk disk = LogicalSectorSizes.faultyDisk(type, logicalSectorSize).create()) {
            DamagedTail damaged = DamagedTail.of(disk, 23, Reported.ONE_512_BYTE_SECTOR);
            byte[] original = data(23, PARTIAL_FILE_SIZE);
            byte[] expected = original.clone();
            int rewritten = (int) LogicalSectorSizes.logicalSectorStart(PARTIAL_FILE_SIZE - 1,
                    Math.max(4096, logicalSectorSize));
            java.util.Arrays.fill(expected, rewritten, PARTIAL_FILE_SIZE, (byte) 0);

            invoke(damaged.mbean(), "rewriteZeros", "/tail.bin");

            assertThat(shape(Files.readAllBytes(damaged.file()), original)).isEqualTo(shape(expected, original));
        }
    }

    @LogicalSectorSizes.OnEveryLogicalSectorSize
    void restoreFromClosesABadLogicalSectorAsRestored(String type, int logicalSectorSize) throws Exception {
        try (FaultyDisk disk = LogicalSectorSizes.faultyDisk(type, logicalSectorSize).create()) {
            DamagedTail damaged = DamagedTail.of(disk, 24, Reported.LOGICAL_SECTOR);
            AgentFixture.writeFile(disk.path("tail-replica.bin"), PARTIAL_FILE_SIZE, 24);

            String result = (String) invoke(damaged.mbean(), "restoreFrom", disk.path("tail-replica.bin").toString());

            assertThat(state(damaged.mbean())).as(result).isEqualTo("RESTORED");
        }
    }

    @Test
    void rewriteZerosClearsTheMediaErrorForReal() throws Exception {
        Path file = fileWithData("rewrite.bin", 1);
        ObjectName name = damage(file);

        invoke(name, "rewriteZeros", "/rewrite.bin");

        assertThat(DirectIo.pageFailsToRead(file, DAMAGED_PAGE)).isFalse();
    }

    @Test
    void rewriteZerosClosesTheFileAsRewrittenAfterItsVerify() throws Exception {
        ObjectName name = damage(fileWithData("rewritten.bin", 2));

        String result = (String) invoke(name, "rewriteZeros", "/rewritten.bin");

        assertThat(state(name)).as(result).isEqualTo("REWRITTEN");
    }

    @Test
    void rewriteZerosWithoutTheRightConfirmationWritesNothing() throws Exception {
        Path file = fileWithData("unconfirmed.bin", 3);
        ObjectName name = damage(file);

        assertThatThrownBy(() -> invoke(name, "rewriteZeros", "/other.bin")).isInstanceOf(RuntimeMBeanException.class)
                .cause().isInstanceOf(IllegalArgumentException.class).hasMessageContaining("confirmPath");
        assertThat(DirectIo.pageFailsToRead(file, DAMAGED_PAGE)).isTrue();
    }

    @Test
    void verifyClosesARangeThatReadsCleanAgain() throws Exception {
        Path file = fileWithData("healed.bin", 4);
        ObjectName name = damage(file);
        DISK.clear(DISK.sectorOf(file, DAMAGED_PAGE), 1);

        invoke(name, "verify");

        assertThat(state(name)).isEqualTo("VERIFIED_GOOD");
    }

    @Test
    void verifyLeavesARangeThatStillFailsOpen() throws Exception {
        ObjectName name = damage(fileWithData("still-bad.bin", 5));

        String result = (String) invoke(name, "verify");

        assertThat(state(name)).as(result).isEqualTo("OPEN");
    }

    @Test
    void restoreFromBringsBackTheExactBytes() throws Exception {
        Path file = fileWithData("restore.bin", 6);
        Files.createDirectories(DISK.path("replicas"));
        AgentFixture.writeFile(DISK.path("replicas/restore.bin"), FILE_SIZE, 6);
        ObjectName name = damage(file);

        invoke(name, "restoreFrom", DISK.path("replicas/restore.bin").toString());

        assertThat(Files.readAllBytes(file)).isEqualTo(data(6));
    }

    @Test
    void restoreFromReplicaCopiesFromTheConfiguredMirror() throws Exception {
        Path file = fileWithData("mirrored.bin", 16);
        AgentFixture.writeFile(DISK.path("mirror/mirrored.bin"), FILE_SIZE, 16);
        ObjectName name = damage(file);

        invoke(name, "restoreFromReplica");

        assertThat(state(name)).isEqualTo("RESTORED");
    }

    @Test
    void aRepairSendsFileRecoveredAndAStateChange() throws Exception {
        ObjectName name = damage(fileWithData("announced.bin", 17));
        BlockingQueue<Notification> received = new LinkedBlockingQueue<>();
        NotificationListener listener = (notification, handback) -> received.add(notification);
        remote.addNotificationListener(ObjectNames.agent(), listener, null, null);
        try {
            invoke(name, "acknowledgeLoss", "test");

            List<String> types = new java.util.ArrayList<>();
            while (types.size() < 2) {
                Notification next = received.poll(60, TimeUnit.SECONDS); // a bound against hanging only
                if (next == null) {
                    break;
                }
                if (next.getSource().equals(name) || next.getType().equals("io.daxguard.file.recovered")) {
                    types.add(next.getType());
                }
            }
            assertThat(types).containsExactlyInAnyOrder("jmx.attribute.change", "io.daxguard.file.recovered");
        } finally {
            remote.removeNotificationListener(ObjectNames.agent(), listener);
        }
    }

    @Test
    void aSymlinkedReplicaIsRefused() throws Exception {
        Path file = fileWithData("symlinked.bin", 7);
        Files.createDirectories(DISK.path("replicas"));
        AgentFixture.writeFile(DISK.path("replicas/symlinked.bin"), FILE_SIZE, 7);
        Path link = Files.createSymbolicLink(DISK.path("replica-link.bin"), DISK.path("replicas/symlinked.bin"));
        ObjectName name = damage(file);

        assertThatThrownBy(() -> invoke(name, "restoreFrom", link.toString())).cause()
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("symbolic link");
    }

    @Test
    void rewritingOneReflinkedSharerLeavesTheOtherReadingEio() throws Exception {
        Path original = fileWithData("pair-a.bin", 8);
        Path copy = DISK.path("pair-b.bin");
        Command.run("cp", "--reflink=always", original.toString(), copy.toString());
        Command.run("sync", "-f", DISK.mountPoint().toString());
        ObjectName a = damage(original);

        invoke(a, "rewriteZeros", "/pair-a.bin");

        assertThat(DirectIo.pageFailsToRead(copy, DAMAGED_PAGE)).isTrue();
    }

    @Test
    void rewritingOneReflinkedSharerLeavesTheOtherOpen() throws Exception {
        Path original = fileWithData("twin-a.bin", 9);
        Command.run("cp", "--reflink=always", original.toString(), DISK.path("twin-b.bin").toString());
        Command.run("sync", "-f", DISK.mountPoint().toString());
        ObjectName a = damage(original);
        ObjectName b = mbean(DISK.path("twin-b.bin"));

        invoke(a, "rewriteZeros", "/twin-a.bin");
        invoke(b, "verify");

        assertThat(List.of(state(a), state(b))).containsExactly("REWRITTEN", "OPEN");
    }

    @Test
    void everyDestructiveOperationRefusesAReplacedFile() throws Exception {
        Path file = fileWithData("replaced.bin", 10);
        ObjectName name = damage(file);
        DISK.clear(DISK.sectorOf(file, DAMAGED_PAGE), 1);
        Files.delete(file);
        AgentFixture.writeFile(file, FILE_SIZE, 11);
        Files.createDirectories(DISK.path("replicas"));
        AgentFixture.writeFile(DISK.path("replicas/replaced.bin"), FILE_SIZE, 10);

        List<String> refusals = new java.util.ArrayList<>();
        for (String[] call : List.of(new String[] {"rewriteZeros", "/replaced.bin"},
                new String[] {"restoreFrom", DISK.path("replicas/replaced.bin").toString()}, new String[] {"quarantine"})) {
            try {
                invoke(name, call[0], java.util.Arrays.copyOfRange(call, 1, call.length));
                refusals.add(call[0] + " went ahead");
            } catch (RuntimeMBeanException e) {
                refusals.add(call[0] + ": " + e.getCause().getMessage());
            }
        }

        // The old file's freed blocks may be reused by later tests' files: close its record so it covers nothing.
        invoke(name, "acknowledgeLoss", "replaced by the test");
        assertThat(refusals).allSatisfy(refusal -> assertThat(refusal).contains("the file was replaced"));
    }

    @Test
    void aFileDeletedWhileTheAgentRunsBecomesGoneAtTheNextIdentityCheck() throws Exception {
        Path file = fileWithData("doomed.bin", 18);
        ObjectName name = damage(file);
        DISK.clear(DISK.sectorOf(file, DAMAGED_PAGE), 1);
        Files.delete(file);

        fixture.agent().checkFiles();

        assertThat(state(name)).isEqualTo("FILE_GONE");
    }

    @Test
    void quarantineMovesTheFileAndTheRecordFollows() throws Exception {
        ObjectName name = damage(fileWithData("suspect.bin", 12));

        invoke(name, "quarantine");

        CompositeData[] listed = (CompositeData[]) remote.invoke(ObjectNames.filesystem(DISK.mountPoint().toString()),
                "listDamagedFiles", new Object[] {0, 1000}, new String[] {"int", "int"});
        assertThat(listed).filteredOn(file -> ((String) file.get("path")).endsWith("-suspect.bin")).singleElement()
                .satisfies(file -> {
                    assertThat((String) file.get("path")).startsWith("/.daxguard-quarantine/");
                    assertThat(file.get("state")).isEqualTo("QUARANTINED");
                });
    }

    @Test
    void aListenerOnTheDamagedFileMBeanHearsItsStateChangeBeforeTheMBeanGoesAway() throws Exception {
        ObjectName name = damage(fileWithData("listened.bin", 15));
        java.util.concurrent.CompletableFuture<javax.management.AttributeChangeNotification> heard =
                new java.util.concurrent.CompletableFuture<>();
        javax.management.MBeanNotificationInfo[] declared = remote.getMBeanInfo(name).getNotifications();
        // In the agent's JVM (a remote listener of an MBean that is unregistered may miss its last notification; the
        // Agent MBean's stream carries the same State change for remote clients).
        fixture.server().addNotificationListener(name, (notification, handback) -> {
            if (notification instanceof javax.management.AttributeChangeNotification change) {
                heard.complete(change);
            }
        }, null, null);

        invoke(name, "acknowledgeLoss", "scratch data");

        javax.management.AttributeChangeNotification change = heard.get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(change.getAttributeName()).isEqualTo("State");
        assertThat(change.getOldValue()).isEqualTo("OPEN");
        assertThat(change.getNewValue()).isEqualTo("ACKNOWLEDGED");
        assertThat(change.getSource()).isEqualTo(name);
        assertThat(java.util.Arrays.stream(declared)
                .flatMap(info -> java.util.Arrays.stream(info.getNotifTypes())))
                .contains(javax.management.AttributeChangeNotification.ATTRIBUTE_CHANGE);
    }

    @Test
    void everyActionIsInTheFilesHistory() throws Exception {
        ObjectName name = damage(fileWithData("audited.bin", 13));
        invoke(name, "verify");

        io.daxguard.agent.ledger.FileKey key = new io.daxguard.agent.ledger.FileKey(
                (String) remote.getAttribute(name, "FilesystemUuid"), "", (Long) remote.getAttribute(name, "Inode"),
                (Long) remote.getAttribute(name, "Generation"));

        invoke(name, "acknowledgeLoss", "scratch data, regenerated nightly");

        // The MBean went away with the file's last open damage; its history stays in the ledger.
        assertThat(fixture.agent().ledger().history(key).stream().map(io.daxguard.agent.ledger.AuditEntry::line))
                .hasSize(2).last().asString()
                .contains("local acknowledgeLoss /audited.bin: loss accepted for 1 range(s): scratch data");
    }

    @Test
    void signalMappersReachesAProcessThatMapsTheFile() throws Exception {
        Privileges.requireRootLoopAnd("python3");
        Path file = fileWithData("mapped.bin", 14);
        ObjectName name = damage(file);
        String script = "import mmap, os, signal, sys\n"
                + "f = open(sys.argv[1], 'rb'); m = mmap.mmap(f.fileno(), 0, prot=mmap.PROT_READ)\n"
                + "signal.signal(signal.SIGBUS, lambda s, fr: (print('got SIGBUS', flush=True), os._exit(0)))\n"
                + "print('mapped', flush=True)\n"
                + "while True: signal.pause()\n";
        Process mapper = new ProcessBuilder("python3", "-c", script, file.toString()).start();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(mapper.getInputStream(),
                StandardCharsets.UTF_8))) {
            assertThat(lines.readLine()).isEqualTo("mapped");

            invoke(name, "signalMappers", "");

            assertThat(lines.readLine()).isEqualTo("got SIGBUS");
        } finally {
            mapper.destroyForcibly();
            mapper.waitFor();
        }
    }

    @Test
    void mappingProcessesNamesAProcessThatMapsTheFile() throws Exception {
        Privileges.requireRootLoopAnd("python3");
        Path file = fileWithData("watched.bin", 15);
        ObjectName name = damage(file);
        String script = "import mmap, sys, time\n"
                + "f = open(sys.argv[1], 'rb'); m = mmap.mmap(f.fileno(), 0, prot=mmap.PROT_READ)\n"
                + "print('mapped', flush=True); sys.stdin.read()\n";
        Process mapper = new ProcessBuilder("python3", "-c", script, file.toString()).start();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(mapper.getInputStream(),
                StandardCharsets.UTF_8))) {
            assertThat(lines.readLine()).isEqualTo("mapped");

            assertThat((String[]) remote.getAttribute(name, "MappingProcesses")).anySatisfy(
                    line -> assertThat(line).startsWith(mapper.pid() + " ("));
        } finally {
            mapper.destroyForcibly();
            mapper.waitFor();
        }
    }
}
