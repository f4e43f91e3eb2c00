package io.daxguard.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daxguard.agent.jmx.ObjectNames;
import io.daxguard.agent.ledger.AuditEntry;
import io.daxguard.agent.ledger.DamagedFile;
import io.daxguard.agent.recovery.MirrorTreeReplicaProvider;
import io.daxguard.agent.recovery.RecoveryPolicies;
import io.daxguard.agent.recovery.RecoveryPolicy;
import io.daxguard.agent.recovery.RecoverySettings;
import io.daxguard.spi.LinuxPath;
import io.daxguard.testkit.FaultyDisk;
import io.daxguard.testkit.Privileges;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import javax.management.MBeanServerConnection;
import javax.management.RuntimeMBeanException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Recovery without an operator, on a faulty XFS disk whose bad sectors fail for real: the policy {@code disk}
 * ({@code signalMappers, restore, rewrite, quarantine}, early, {@code cache} disposable) acts on each damaged file as
 * an operator's buttons would, and audits every step as {@code policy:disk}. Each test damages a file of its own,
 * reports the bad sector as the kernel would, and waits for the policy's thread to have acted on it.
 */
@Tag("mount")
class RecoveryPolicyTest {
    @RegisterExtension
    static final FaultyDisk DISK = FaultyDisk.xfs().build();
    private static final int FILE_SIZE = 64 * 1024;
    private static final int DAMAGED_PAGE = 2;

    private static AgentFixture fixture;
    private static MBeanServerConnection remote;

    @BeforeAll
    static void startAgent() throws Exception {
        Privileges.requireRootLoopAnd("python3");
        Files.createDirectories(DISK.path("mirror"));
        Files.createDirectories(DISK.path("cache"));
        RecoveryPolicy disk = new RecoveryPolicy("disk", Optional.of(LinuxPath.of(DISK.mountPoint())),
                Optional.empty(), List.of(RecoveryPolicy.FileStep.SIGNAL_MAPPERS, RecoveryPolicy.FileStep.RESTORE,
                RecoveryPolicy.FileStep.REWRITE, RecoveryPolicy.FileStep.QUARANTINE), "SIGBUS",
                RecoveryPolicy.Mode.EARLY, List.of("cache"), List.of(), List.of());
        // Matches too, less specifically: it must not be the one applied.
        RecoveryPolicy parent = new RecoveryPolicy("parent", Optional.of(LinuxPath.of(DISK.mountPoint().getParent())),
                Optional.empty(), List.of(), "SIGBUS", RecoveryPolicy.Mode.EARLY, List.of(), List.of(), List.of());
        fixture = new AgentFixture(null, RecoverySettings.defaults().withReplicaRoots(AgentFixture.SCRATCH)
                .withReplicaProvider(new MirrorTreeReplicaProvider(Map.of(DISK.mountPoint(), DISK.path("mirror"))))
                .withPolicies(new RecoveryPolicies(List.of(parent, disk))));
        remote = fixture.remote();
    }

    @AfterAll
    static void stopAgent() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    private static byte[] data(long seed) {
        byte[] bytes = new byte[FILE_SIZE];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static Path fileWithData(String name, long seed) throws Exception {
        Path file = DISK.path(name);
        AgentFixture.writeFile(file, FILE_SIZE, seed);
        return file;
    }

    /** Makes the first sector of the file's page {@link #DAMAGED_PAGE} bad, reports it, waits for the policy. */
    private static void damageAndAwaitThePolicy(Path file) throws Exception {
        long sector = DISK.sectorOf(file, DAMAGED_PAGE * 4096L);
        DISK.poison(sector, 1);
        AgentCalls.reportFailure(remote, DISK.deviceName(), sector, 1L, 5);
        assertThat(fixture.agent().recoveryPolicies().awaitIdle(Duration.ofMinutes(2))).as("policy done").isTrue();
    }

    private static DamagedFile recorded(long inode) {
        return DamagedFile.group(fixture.agent().ledger().records()).stream()
                .filter(file -> file.key().inode() == inode && file.key().mountPoint().equals(DISK.mountPoint()
                        .toString())).findFirst().orElseThrow();
    }

    private static long inode(Path file) throws Exception {
        return (Long) Files.getAttribute(file, "unix:ino");
    }

    private static List<String> history(long inode) {
        return fixture.agent().ledger().history(recorded(inode).key()).stream().map(AuditEntry::line).toList();
    }

    private static String policyAttribute() throws Exception {
        return (String) remote.getAttribute(ObjectNames.filesystem(DISK.mountPoint().toString()), "RecoveryPolicy");
    }

    @Test
    void theMostSpecificPolicyIsShownOnTheFilesystemMBean() throws Exception {
        assertThat(policyAttribute()).startsWith("disk (watch " + DISK.mountPoint() + "): onFileDamage signalMappers, "
                + "restore, rewrite, quarantine; signal SIGBUS; mode early; disposable /cache");
    }

    @Test
    void onlyTheProcessMappingTheDamagedPageIsSignalled() throws Exception {
        Path file = fileWithData("mapped.bin", 1);
        try (PageMapper onDamagedPage = new PageMapper(file, DAMAGED_PAGE);
             PageMapper onAnotherPage = new PageMapper(file, 5)) {
            long inode = inode(file);

            damageAndAwaitThePolicy(file);

            assertThat(onDamagedPage.ask()).isEqualTo("got SIGBUS");
            assertThat(onAnotherPage.ask()).isEqualTo("alive");
            assertThat(history(inode)).anySatisfy(line -> assertThat(line).contains("policy:disk signalMappers SIGBUS")
                    .contains("sent SIGBUS (7) to 1 process(es): " + onDamagedPage.pid() + " (python3)"));
        }
    }

    @Test
    void aFileWithAReplicaIsRestoredAndReadsCleanThroughTheFailingDevice() throws Exception {
        Path file = fileWithData("restorable.bin", 2);
        AgentFixture.writeFile(DISK.path("mirror/restorable.bin"), FILE_SIZE, 2);
        long inode = inode(file);

        damageAndAwaitThePolicy(file);

        assertThat(recorded(inode).state().name()).isEqualTo("RESTORED");
        assertThat(DirectIo.pageFailsToRead(file, DAMAGED_PAGE * 4096L)).as("O_DIRECT read of the damaged page")
                .isFalse();
        assertThat(Files.readAllBytes(file)).isEqualTo(data(2));
        assertThat(history(inode)).last().asString().contains("policy:disk recovery policy")
                .contains("restore: 1 range(s) restored");
    }

    @Test
    void aReplicaMatchingTheChecksumItsProviderRecordedIsRestoredAndTheAuditSaysSo() throws Exception {
        Path file = fileWithData("checked.bin", 6);
        AgentFixture.writeFile(DISK.path("mirror/checked.bin"), FILE_SIZE, 6);
        Files.writeString(DISK.path("mirror/checked.bin.sha256"), sha256(data(6)) + "  checked.bin\n");
        long inode = inode(file);

        damageAndAwaitThePolicy(file);

        assertThat(recorded(inode).state().name()).isEqualTo("RESTORED");
        assertThat(history(inode)).anySatisfy(line -> assertThat(line).contains("policy:disk restoreFrom")
                .contains("its SHA-256 equal to the one replica provider mirror recorded"));
    }

    @Test
    void aReplicaThatNoLongerMatchesTheChecksumItsProviderRecordedIsNotRestoredFrom() throws Exception {
        Path file = fileWithData("rotted.bin", 7);
        AgentFixture.writeFile(DISK.path("mirror/rotted.bin"), FILE_SIZE, 8); // the mirror's copy changed since
        Files.writeString(DISK.path("mirror/rotted.bin.sha256"), sha256(data(7)) + "  rotted.bin\n");
        long inode = inode(file);

        damageAndAwaitThePolicy(file);

        assertThat(recorded(inode).state().name()).isEqualTo("QUARANTINED");
        Path quarantined = DISK.mountPoint().resolve(recorded(inode).displayPath().substring(1));
        assertThat(DirectIo.pageFailsToRead(quarantined, DAMAGED_PAGE * 4096L))
                .as("nothing written from the bad replica: the damaged page still fails").isTrue();
        assertThat(history(inode)).anySatisfy(line -> assertThat(line).contains("policy:disk restoreFrom")
                .contains("not the " + sha256(data(7)) + " replica provider mirror recorded for it")
                .contains("nothing written"));
    }

    private static String sha256(byte[] bytes) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void aFileWithoutAReplicaOutsideDisposableDirectoriesIsQuarantined() throws Exception {
        Path file = fileWithData("lost.bin", 3);
        long inode = inode(file);

        damageAndAwaitThePolicy(file);

        DamagedFile quarantined = recorded(inode);
        assertThat(quarantined.state().name()).isEqualTo("QUARANTINED");
        assertThat(file).doesNotExist();
        assertThat(DISK.mountPoint().resolve(quarantined.displayPath().substring(1))).exists();
        assertThat(history(inode)).anySatisfy(line -> assertThat(line).contains("policy:disk restoreFromReplica")
                        .contains("has no copy"))
                .anySatisfy(line -> assertThat(line).contains("policy:disk rewriteZeros")
                        .contains("skipped: /lost.bin is under no disposable directory"))
                .anySatisfy(line -> assertThat(line).contains("policy:disk quarantine").contains("moved "));
    }

    @Test
    void aFileUnderADisposableDirectoryIsRewrittenWithZeros() throws Exception {
        Path file = fileWithData("cache/scratch.bin", 4);
        long inode = inode(file);

        damageAndAwaitThePolicy(file);

        assertThat(recorded(inode).state().name()).isEqualTo("REWRITTEN");
        assertThat(DirectIo.pageFailsToRead(file, DAMAGED_PAGE * 4096L)).isFalse();
        byte[] content = Files.readAllBytes(file);
        assertThat(java.util.Arrays.copyOfRange(content, DAMAGED_PAGE * 4096, (DAMAGED_PAGE + 1) * 4096))
                .containsOnly(0);
        assertThat(java.util.Arrays.copyOfRange(content, 0, DAMAGED_PAGE * 4096))
                .isEqualTo(java.util.Arrays.copyOfRange(data(4), 0, DAMAGED_PAGE * 4096));
    }

    @Test
    void aQuarantinedFileIsReleasedToItsPathWithItsDamageOpenAgain() throws Exception {
        Path file = fileWithData("released.bin", 5);
        long inode = inode(file);
        damageAndAwaitThePolicy(file);
        String quarantinedAs = recorded(inode).displayPath();

        String result = (String) remote.invoke(ObjectNames.filesystem(DISK.mountPoint().toString()),
                "releaseQuarantined", new Object[] {quarantinedAs.substring(quarantinedAs.lastIndexOf('/') + 1)},
                new String[] {"java.lang.String"});

        assertThat(result).contains("back to " + file);
        assertThat(inode(file)).isEqualTo(inode);
        assertThat(DISK.mountPoint().resolve(quarantinedAs.substring(1))).doesNotExist();
        assertThat(recorded(inode).state().name()).isEqualTo("OPEN");
        assertThat(recorded(inode).paths()).containsExactly("/released.bin");
        assertThat(history(inode)).last().asString().contains("local releaseQuarantined /released.bin");
    }

    @Test
    void aReleaseOntoATakenNameIsRefusedAndMovesNothing() throws Exception {
        Path file = fileWithData("taken.bin", 6);
        long inode = inode(file);
        damageAndAwaitThePolicy(file);
        String quarantinedAs = recorded(inode).displayPath();
        AgentFixture.writeFile(file, 4096, 7); // a new file took the name

        assertThatThrownBy(() -> remote.invoke(ObjectNames.filesystem(DISK.mountPoint().toString()),
                "releaseQuarantined", new Object[] {quarantinedAs}, new String[] {"java.lang.String"}))
                .isInstanceOf(RuntimeMBeanException.class).cause()
                .hasMessageContaining("refused: " + file + " exists");

        assertThat(DISK.mountPoint().resolve(quarantinedAs.substring(1))).exists();
        assertThat(Files.size(file)).isEqualTo(4096);
        assertThat(recorded(inode).state().name()).isEqualTo("QUARANTINED");
    }

    @Test
    void theDryRunSaysWhatWouldHappenAndChangesNothing() throws Exception {
        Path file = fileWithData("planned.bin", 8);
        AgentFixture.writeFile(DISK.path("mirror/planned.bin"), FILE_SIZE, 8);
        int recordsBefore = fixture.agent().ledger().records().size();
        try (PageMapper mapper = new PageMapper(file, 0)) {
            String plan = (String) remote.invoke(ObjectNames.filesystem(DISK.mountPoint().toString()), "testPolicy",
                    new Object[] {"/planned.bin"}, new String[] {"java.lang.String"});

            assertThat(plan).contains("policy: disk (watch " + DISK.mountPoint() + ")")
                    .contains("1. signalMappers: would run at detection")
                    .contains("mapping the file now (any page): " + mapper.pid() + " (python3)")
                    .contains("2. restore: would run: copy from " + DISK.path("mirror/planned.bin"))
                    .contains("3. rewrite: would be skipped: under no disposable directory (/cache)")
                    .contains("4. quarantine: would run unless an earlier step closed the damage")
                    .endsWith("dry run: nothing was written, moved or signalled");
            assertThat(mapper.ask()).isEqualTo("alive");
        }
        assertThat(Files.readAllBytes(file)).isEqualTo(data(8));
        assertThat(fixture.agent().ledger().records()).hasSize(recordsBefore);
    }

    @Test
    void theStatusNamesEachFilesystemsPolicy() throws Exception {
        String status = (String) remote.invoke(ObjectNames.agent(), "statusSummary", new Object[0], new String[0]);

        assertThat(status).contains("      policy: disk (watch " + DISK.mountPoint() + "): ");
    }
}
