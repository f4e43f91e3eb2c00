package io.daxguard.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.failure.DeviceRef;
import io.daxguard.agent.failure.FailureTuple;
import io.daxguard.agent.jmx.ObjectNames;
import io.daxguard.agent.ledger.AuditEntry;
import io.daxguard.agent.ledger.DamagedFile;
import io.daxguard.agent.ranges.ByteRange;
import io.daxguard.agent.recovery.RecoveryPolicies;
import io.daxguard.agent.recovery.RecoveryPolicy;
import io.daxguard.agent.source.kmsg.KernelLogSource;
import io.daxguard.spi.LinuxPath;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.testkit.Privileges;
import io.daxguard.testkit.ScratchFilesystem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Which damage a policy acts on: {@code late} mode signals only for pages the kernel reported poisoned and touched (a
 * memory failure), a filesystem matched by UUID gets that policy over a watched directory above it, and a filesystem
 * no policy matches is left to the operator. The damage is reported, not provoked: what is tested is the decision.
 */
@Tag("mount")
class RecoveryPolicyModesTest {
    @RegisterExtension
    static final ScratchFilesystem LATE = ScratchFilesystem.ext4().build();

    @RegisterExtension
    static final ScratchFilesystem MANUAL = ScratchFilesystem.ext4().build();

    @RegisterExtension
    @Order(Integer.MAX_VALUE) // after the filesystems: started once they are mounted, stopped before they are unmounted
    static final RunningAgent AGENT = RunningAgent.startedAfter(RecoveryPolicyModesTest::writeTheFiles, settings -> settings.withRecovery(
            settings.recovery().withPolicies(new RecoveryPolicies(List.of(
                    new RecoveryPolicy("late", Optional.empty(), Optional.of(uuidOf(LATE)),
                            List.of(RecoveryPolicy.FileStep.SIGNAL_MAPPERS), "SIGBUS", RecoveryPolicy.Mode.LATE,
                            List.of(), List.of(RecoveryPolicy.MetadataStep.FREEZE), List.of()),
                    // Matches LATE's mount point too, less specifically than its UUID: it must not be applied.
                    new RecoveryPolicy("above", Optional.of(LinuxPath.of(LATE.mountPoint().getParent())),
                            Optional.empty(), List.of(RecoveryPolicy.FileStep.QUARANTINE), "SIGBUS",
                            RecoveryPolicy.Mode.EARLY, List.of(), List.of(), List.of()))))));

    /**
     * Every file the tests damage, written before the agent starts: its first index build has them all, so no report
     * waits for an index refresh (a refresh after a change is rate-limited: a file written just before the report
     * would be an unknown owner, named later).
     */
    private static void writeTheFiles() throws IOException {
        AgentFixture.writeFile(LATE.path("found.bin"), 16 * 4096, 1);
        AgentFixture.writeFile(LATE.path("touched.bin"), 16 * 4096, 2);
        AgentFixture.writeFile(LATE.path("found-then-touched.bin"), 16 * 4096, 4);
        AgentFixture.writeFile(MANUAL.path("manual.bin"), 16 * 4096, 3);
    }

    @BeforeAll
    static void requirePython() {
        Privileges.requireRootLoopAnd("python3");
    }

    private static String uuidOf(ScratchFilesystem filesystem) {
        try {
            Process blkid = new ProcessBuilder("blkid", "-s", "UUID", "-o", "value", filesystem.device().toString())
                    .redirectErrorStream(true).start();
            String uuid = new String(blkid.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (blkid.waitFor() != 0 || uuid.isEmpty()) {
                throw new IllegalStateException("blkid: " + uuid);
            }
            return uuid;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void report(ScratchFilesystem filesystem, Path file) throws Exception {
        FiemapExtent extent = AgentFixture.extents(file).get(0);
        AgentCalls.reportFailure(AGENT.remote(), filesystem.device().getFileName() .toString(),
                extent.physical() / 512, 8L, 5);
        awaitThePolicies();
    }

    private static void awaitThePolicies() throws InterruptedException {
        assertThat(AGENT.agent().recoveryPolicies().awaitIdle(Duration.ofMinutes(2))).as("policies done").isTrue();
    }

    private static DamagedFile recorded(Path file) throws IOException {
        long inode = (Long) Files.getAttribute(file, "unix:ino");
        return DamagedFile.group(AGENT.agent().ledger().records()).stream()
                .filter(damaged -> damaged.key().inode() == inode
                        && damaged.key().mountPoint().equals(file.getParent().toString())).findFirst().orElseThrow();
    }

    private static List<String> history(Path file) throws IOException {
        return AGENT.agent().ledger().history(recorded(file).key()).stream().map(AuditEntry::line).toList();
    }

    private static String policyOf(ScratchFilesystem filesystem) throws Exception {
        return (String) AGENT.remote().getAttribute(ObjectNames.filesystem(filesystem.mountPoint().toString()),
                "RecoveryPolicy");
    }

    @Test
    void aUuidMatchIsAppliedOverAWatchedDirectoryAboveIt() throws Exception {
        assertThat(policyOf(LATE)).startsWith("late (uuid " + uuidOf(LATE) + "): onFileDamage signalMappers; "
                + "signal SIGBUS; mode late");
    }

    @Test
    void lateModeSignalsNobodyForDamageFoundWithoutTheKernelReportingThePageTouched() throws Exception {
        Path file = LATE.path("found.bin");
        try (PageMapper mapper = new PageMapper(file, 0)) {
            report(LATE, file);

            assertThat(mapper.ask()).isEqualTo("alive");
            assertThat(history(file)).anySatisfy(line -> assertThat(line).contains("policy:late signalMappers SIGBUS")
                    .contains("skipped: mode late signals only for pages the kernel reported poisoned and touched"));
            assertThat(file).exists(); // the watched directory's quarantine was not applied
        }
    }

    @Test
    void lateModeSignalsTheMappersOfAPageTheKernelReportedTouched() throws Exception {
        Path file = LATE.path("touched.bin");
        try (PageMapper mapper = new PageMapper(file, 0)) {
            memoryFailureOnFirstPage(file);

            assertThat(mapper.ask()).isEqualTo("got SIGBUS");
        }
    }

    @Test
    void lateModeSignalsWhenTheKernelReportsTouchedAPageAlreadyRecordedByAnotherSource() throws Exception {
        Path file = LATE.path("found-then-touched.bin");
        try (PageMapper mapper = new PageMapper(file, 0)) {
            report(LATE, file);
            assertThat(mapper.ask()).as("found by an operator's report: late mode waits").isEqualTo("alive");

            memoryFailureOnFirstPage(file);

            assertThat(mapper.ask()).isEqualTo("got SIGBUS");
            assertThat(history(file)).anySatisfy(line -> assertThat(line).contains("policy:late recovery policy signal")
                    .contains("reported touched by the kernel"));
        }
    }

    /**
     * The kernel log source's tuple for a "Memory failure: 0x<pfn>" line on the file's first page (no pmem here to
     * provoke one), through the router as every source's tuples go.
     */
    private static void memoryFailureOnFirstPage(Path file) throws Exception {
        FiemapExtent extent = AgentFixture.extents(file).get(0);
        AGENT.agent().router().route(FailureTuple.mediaError(new DeviceRef(LATE.deviceNumber(),
                LATE.device().getFileName().toString()), new ByteRange(extent.physical(), 4096),
                KernelLogSource.MEMORY_FAILURE_SOURCE, Instant.now())).join();
        awaitThePolicies();
    }

    @Test
    void metadataDamageRunsThePolicysMetadataStepsAndAuditsTheirResult() throws Exception {
        io.daxguard.agent.ledger.FilesystemRef late = AGENT.agent().filesystems().on(LATE.deviceNumber()).orElseThrow()
                .reference();
        try {
            // The primary superblock: 1024 bytes into the filesystem.
            AgentCalls.reportFailure(AGENT.remote(), LATE.device().getFileName() .toString(), 2L, 2L, 5);
            awaitThePolicies();

            assertThat(AGENT.agent().ledger().history(io.daxguard.agent.ledger.FileKey.NONE).stream()
                    .map(AuditEntry::line)).anySatisfy(line -> assertThat(line)
                    .contains("policy:late freeze: ok: frozen: every write").contains("[" + LATE.mountPoint() + "]"));
        } finally {
            AGENT.agent().protection().thaw(late, "test"); // the other tests write to it
        }
    }

    @Test
    void aFilesystemNoPolicyMatchesIsLeftToTheOperator() throws Exception {
        Path file = MANUAL.path("manual.bin");
        try (PageMapper mapper = new PageMapper(file, 0)) {
            report(MANUAL, file);

            assertThat(mapper.ask()).isEqualTo("alive");
            assertThat(recorded(file).state().name()).isEqualTo("OPEN");
            assertThat(history(file)).noneSatisfy(line -> assertThat(line).contains("policy:"));
            assertThat(policyOf(MANUAL)).startsWith("none: manual");
        }
    }
}
