package io.daxguard.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daxguard.agent.jmx.ObjectNames;
import io.daxguard.agent.validation.RequestLimits;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.ScratchFilesystem;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.management.MBeanOperationInfo;
import javax.management.ObjectName;
import javax.management.RuntimeMBeanException;
import javax.management.openmbean.CompositeData;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 13's limits through a real RMI connector to an agent on a real XFS: one resolve answers at most
 * {@code mbeans.resolveBytes} (here 1 MiB), larger ranges are answered a page at a time or summarized; one report
 * names at most {@code mbeans.reportBytes} (here 64 KiB); {@code awaitReverseMap} parks a thread for at most 60 s.
 */
@Tag("mount")
class RequestLimitsJmxTest {
    private static final long RESOLVE_BYTES = 1L << 20;
    private static final long REPORT_BYTES = 64L << 10;
    private static final int BIG_FILE_BYTES = 3 * (1 << 20) + 12 * 4096;

    @RegisterExtension
    static final ScratchFilesystem XFS = ScratchFilesystem.xfs().build();

    @RegisterExtension
    @Order(Integer.MAX_VALUE) // after XFS: started once it is mounted, stopped before it is unmounted
    static final RunningAgent AGENT = RunningAgent.startedAfter(RequestLimitsJmxTest::writeFiles,
            settings -> settings.withRequestLimits(new RequestLimits(RESOLVE_BYTES, REPORT_BYTES)));

    private static void writeFiles() throws Exception {
        AgentFixture.writeFile(XFS.path("big.bin"), BIG_FILE_BYTES, 1);
        for (int i = 0; i < 40; i++) {
            AgentFixture.writeFile(XFS.path("small-" + i + ".bin"), 4096, 10 + i);
        }
        Command.run("sync", "-f", XFS.mountPoint().toString());
    }

    private static ObjectName filesystem() {
        return ObjectNames.filesystem(XFS.mountPoint().toString());
    }

    private static Object invoke(String operation, Object[] arguments, String[] signature) throws Exception {
        return AGENT.remote().invoke(filesystem(), operation, arguments, signature);
    }

    private static CompositeData resolvePage(long offset, long length) throws Exception {
        return (CompositeData) invoke("resolvePage", new Object[] {offset, length}, new String[] {"long", "long"});
    }

    private static long deviceBytes() throws Exception {
        return Long.parseLong(Files.readString(java.nio.file.Path.of("/sys/class/block",
                XFS.device().getFileName().toString(), "size")).strip()) * 512;
    }

    @Test
    void aResolveOfMoreThanTheLimitIsRefusedNamingTheLengthTheSettingAndWhatToAskInstead() {
        assertThatThrownBy(() -> invoke("resolve", new Object[] {0L, RESOLVE_BYTES + 1},
                new String[] {"long", "long"}))
                .isInstanceOf(RuntimeMBeanException.class).cause().isInstanceOf(IllegalArgumentException.class)
                .hasMessage("resolve(0, 1048577): length 1048577 is over mbeans.resolveBytes (1048576): ask"
                        + " resolvePage for the owners a page at a time, or resolveSummary for counts per kind of owner"
                        + " and the first owners");
    }

    @Test
    void aResolveUpToTheLimitIsAnsweredWhole() throws Exception {
        CompositeData[] owners = (CompositeData[]) invoke("resolve", new Object[] {0L, RESOLVE_BYTES},
                new String[] {"long", "long"});

        assertThat(Arrays.stream(owners).mapToLong(owner -> (Long) owner.get("length")).sum())
                .as("bytes covered (nothing on the filesystem's first MiB is shared)").isEqualTo(RESOLVE_BYTES);
    }

    @Test
    void aFileLargerThanAPageIsAnsweredInPagesThatTogetherCoverItInOrder() throws Exception {
        FiemapExtent extent = AgentFixture.extents(XFS.path("big.bin")).get(0);
        assertThat(extent.length()).as("big.bin is one extent").isEqualTo(BIG_FILE_BYTES);
        List<CompositeData> fileOwners = new ArrayList<>();
        List<Long> pageLengths = new ArrayList<>();

        for (long at = extent.physical(), left = extent.length(); at >= 0; ) {
            CompositeData page = resolvePage(at, left);
            assertThat((Long) page.get("offset")).isEqualTo(at);
            pageLengths.add((Long) page.get("length"));
            for (CompositeData owner : (CompositeData[]) page.get("owners")) {
                if (Arrays.asList((String[]) owner.get("paths")).contains("/big.bin")) {
                    fileOwners.add(owner);
                }
            }
            at = (Long) page.get("nextOffset");
            left = (Long) page.get("remainingBytes");
        }

        assertThat(pageLengths).containsExactly(RESOLVE_BYTES, RESOLVE_BYTES, RESOLVE_BYTES, 12L * 4096);
        assertThat(fileOwners).extracting(owner -> owner.get("fileOffset"))
                .containsExactly(0L, RESOLVE_BYTES, 2 * RESOLVE_BYTES, 3 * RESOLVE_BYTES);
        assertThat(fileOwners.stream().mapToLong(owner -> (Long) owner.get("length")).sum())
                .isEqualTo(BIG_FILE_BYTES);
    }

    @Test
    void aSummaryOfTheWholeDeviceCountsEveryKindAPageAtATimeAndListsOnlyTheFirstOwners() throws Exception {
        long device = deviceBytes();

        CompositeData summary = (CompositeData) invoke("resolveSummary", new Object[] {0L, device, 3},
                new String[] {"long", "long", "int"});

        assertThat((Long) summary.get("pages")).isEqualTo((device + RESOLVE_BYTES - 1) / RESOLVE_BYTES);
        assertThat((CompositeData[]) summary.get("firstOwners")).hasSize(3);
        CompositeData[] kinds = (CompositeData[]) summary.get("kinds");
        assertThat(kinds).extracting(kind -> kind.get("kind")).contains("file DATA", "free space");
        long fileBytes = Arrays.stream(kinds).filter(kind -> kind.get("kind").equals("file DATA"))
                .mapToLong(kind -> (Long) kind.get("bytes")).sum();
        assertThat(fileBytes).as("big.bin and 40 small files (and the directory's own blocks)")
                .isGreaterThanOrEqualTo(BIG_FILE_BYTES + 40L * 4096);
        assertThat(Arrays.stream(kinds).mapToLong(kind -> (Long) kind.get("bytes")).sum())
                .as("every byte of the device, once (nothing shared)").isEqualTo(device);
        assertThat((Long) summary.get("owners")).isEqualTo(
                Arrays.stream(kinds).mapToLong(kind -> (Long) kind.get("owners")).sum());
    }

    @Test
    void aSummaryOfARangeFarPastTheFilesystemPagesOnlyTheFilesystem() throws Exception {
        long device = deviceBytes();

        CompositeData summary = (CompositeData) invoke("resolveSummary", new Object[] {0L, 1L << 50, 0},
                new String[] {"long", "long", "int"});

        assertThat((Long) summary.get("pages")).isEqualTo((device + RESOLVE_BYTES - 1) / RESOLVE_BYTES);
        assertThat((CompositeData[]) summary.get("kinds")).filteredOn(kind -> kind.get("kind").equals("unknown"))
                .extracting(kind -> kind.get("bytes")).containsExactly((1L << 50) - device);
    }

    @Test
    void aPageStartingPastTheFilesystemIsTheLastPage() throws Exception {
        long device = deviceBytes();

        CompositeData page = resolvePage(device, 1L << 50);

        assertThat(page.get("nextOffset")).isEqualTo(-1L);
        assertThat((CompositeData[]) page.get("owners")).singleElement()
                .satisfies(owner -> assertThat(owner.get("kind")).isEqualTo("unknown"))
                .satisfies(owner -> assertThat(owner.get("length")).isEqualTo(1L << 50));
    }

    @Test
    void aSummaryListingMoreThanAThousandOwnersIsRefusedNamingTheParameter() {
        assertThatThrownBy(() -> invoke("resolveSummary", new Object[] {0L, 4096L, 1001},
                new String[] {"long", "long", "int"}))
                .cause().isInstanceOf(IllegalArgumentException.class)
                .hasMessage("resolveSummary(0, 4096, 1001): firstOwners must be in 0..1000, was 1001");
    }

    @Test
    void aReportOfMoreThanTheLimitIsRefusedNamingTheSectorsTheSettingAndRecordsNothing() throws Exception {
        FiemapExtent extent = AgentFixture.extents(XFS.path("big.bin")).get(0);
        long recordsBefore = (Long) AGENT.remote().getAttribute(ObjectNames.agent(), "DamageRecords");
        long sectors = REPORT_BYTES / 512 + 1;

        assertThatThrownBy(() -> AGENT.remote().invoke(ObjectNames.agent(), "reportFailure",
                new Object[] {XFS.device().getFileName().toString(), extent.physical() / 512, sectors, 5},
                new String[] {"java.lang.String", "long", "long", "int"}))
                .cause().isInstanceOf(IllegalArgumentException.class)
                .hasMessage("reportFailure rejected: sectors 129 (66048 bytes) is over mbeans.reportBytes (65536"
                        + " bytes): report at most 128 sectors at a time");
        assertThat(AGENT.remote().getAttribute(ObjectNames.agent(), "DamageRecords")).isEqualTo(recordsBefore);
    }

    @Test
    void aReportUpToTheLimitIsRecorded() throws Exception {
        FiemapExtent extent = AgentFixture.extents(XFS.path("small-7.bin")).get(0);

        Object reply = AGENT.remote().invoke(ObjectNames.agent(), "reportFailure",
                new Object[] {XFS.device().getFileName().toString(), extent.physical() / 512, 8L, 5},
                new String[] {"java.lang.String", "long", "long", "int"});

        assertThat(reply).asString().contains("/small-7.bin");
    }

    @Test
    void awaitReverseMapRefusesToWaitLongerThanSixtySeconds() {
        assertThatThrownBy(() -> invoke("awaitReverseMap", new Object[] {3600}, new String[] {"int"}))
                .cause().isInstanceOf(IllegalArgumentException.class)
                .hasMessage("timeoutSeconds must be in 1..60, was 3600 (to wait longer, call again while it answers"
                        + " false)");
        assertThatThrownBy(() -> invoke("awaitReverseMap", new Object[] {61}, new String[] {"int"}))
                .cause().isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(
                        "timeoutSeconds must be in 1..60, was 61");
    }

    @Test
    void awaitReverseMapWaitsUpToSixtySeconds() throws Exception {
        assertThat(invoke("awaitReverseMap", new Object[] {60}, new String[] {"int"}))
                .as("XFS with rmapbt is ready at attach").isEqualTo(true);
    }

    @Test
    void theBoundedQueriesAreDeclaredInfoOperations() throws Exception {
        MBeanOperationInfo[] operations = AGENT.remote().getMBeanInfo(filesystem()).getOperations();

        assertThat(operations).filteredOn(operation -> List.of("resolve", "resolvePage", "resolveSummary",
                        "awaitReverseMap").contains(operation.getName()))
                .hasSize(4).extracting(MBeanOperationInfo::getImpact).containsOnly(MBeanOperationInfo.INFO);
    }
}
