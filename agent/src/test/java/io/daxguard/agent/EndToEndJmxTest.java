package io.daxguard.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daxguard.agent.jmx.ObjectNames;
import io.daxguard.support.linux.FileGeneration;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.support.linux.NativeFile;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.ScratchFilesystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import javax.management.ObjectName;
import javax.management.RuntimeMBeanException;
import javax.management.openmbean.CompositeData;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A failure reported over a real RMI connector on a real XFS, read back as jconsole would read it. */
@Tag("mount")
class EndToEndJmxTest {
    @RegisterExtension
    static final ScratchFilesystem XFS = ScratchFilesystem.xfs().build();

    @RegisterExtension
    @Order(Integer.MAX_VALUE) // after XFS: started once it is mounted, stopped before it is unmounted
    static final RunningAgent AGENT = RunningAgent.startedAfter(EndToEndJmxTest::writeFiles);

    /** The files the agent finds at attach: a reflinked pair and a plain file. */
    private static void writeFiles() throws Exception {
        Files.createDirectories(XFS.path("projects/alpha"));
        AgentFixture.writeFile(XFS.path("projects/alpha/original.bin"), 64 * 1024, 1);
        Command.run("cp", "--reflink=always", XFS.path("projects/alpha/original.bin").toString(),
                XFS.path("projects/copy.bin").toString());
        AgentFixture.writeFile(XFS.path("plain.bin"), 16 * 1024, 2);
        Command.run("sync", "-f", XFS.mountPoint().toString());
    }

    private static String loopName() {
        return XFS.device().getFileName().toString();
    }

    private static ObjectName filesystemName() {
        return ObjectNames.filesystem(XFS.mountPoint().toString());
    }

    private static String report(long deviceOffset, long bytes) throws Exception {
        return report(loopName(), deviceOffset, bytes);
    }

    private static String report(String device, long deviceOffset, long bytes) throws Exception {
        return (String) AGENT.remote().invoke(ObjectNames.agent(), "reportFailure",
                new Object[] {device, deviceOffset / 512, bytes / 512, 5},
                new String[] {"java.lang.String", "long", "long", "int"});
    }

    @Test
    void theSameBytesReportedByNumberAndByDevPathAreKnownDamage() throws Exception {
        FiemapExtent extent = AgentFixture.extents(XFS.path("plain.bin")).get(0);
        String number = Files.readString(Path.of("/sys/class/block", loopName(), "dev")).strip();
        assertThat(report(extent.physical() + 3 * 4096, 512)).contains("/plain.bin");

        assertThat(report(number, extent.physical() + 3 * 4096, 512)).isEqualTo("already known: 1 record(s)");
        assertThat(report("/dev/" + loopName(), extent.physical() + 3 * 4096, 512))
                .isEqualTo("already known: 1 record(s)");
    }

    @Test
    void aReportOnADeviceWithNoMediaIsRejectedSayingSo() throws Exception {
        // The first free loop device: a block device with no backing file, so no media (losetup makes the node).
        String device = Path.of(Command.run("losetup", "--find").strip()).getFileName().toString();

        assertThatThrownBy(() -> report(device, 0, 512)).cause().isInstanceOf(IllegalArgumentException.class)
                .hasMessage("reportFailure rejected: device: " + device + " has no media (0 bytes)");
    }

    @Test
    void aFailureUnderAReflinkedBlockDamagesBothSharers() throws Exception {
        FiemapExtent extent = AgentFixture.extents(XFS.path("projects/alpha/original.bin")).get(0);
        long thirdBlock = extent.physical() + 2 * 4096;

        String summary = report(thirdBlock, 512);

        assertThat(summary).contains("/projects/alpha/original.bin").contains("/projects/copy.bin");
        ObjectName original = ObjectNames.damagedFile(XFS.mountPoint().toString(), "/projects/alpha/original.bin");
        CompositeData[] ranges = (CompositeData[]) AGENT.remote().getAttribute(original, "DamagedRanges");
        assertThat(ranges).hasSize(1);
        assertThat(ranges[0].get("fileOffset")).isEqualTo(2L * 4096);
        assertThat(ranges[0].get("length")).isEqualTo(512L);
        assertThat(ranges[0].get("shared")).isEqualTo(true);
        assertThat((String[]) AGENT.remote().getAttribute(original, "SharedWith")).containsExactly("/projects/copy.bin");
    }

    @Test
    void theAgentAndTheFilesystemCountDamagedFilesUnderOneName() throws Exception {
        FiemapExtent extent = AgentFixture.extents(XFS.path("plain.bin")).get(0);
        report(extent.physical() + 2 * 4096, 512);

        int onTheFilesystem = (Integer) AGENT.remote().getAttribute(filesystemName(), "DamagedFileCount");
        int overall = (Integer) AGENT.remote().getAttribute(ObjectNames.agent(), "DamagedFileCount");

        assertThat(onTheFilesystem).isPositive();
        assertThat(overall).isGreaterThanOrEqualTo(onTheFilesystem);
    }

    @Test
    void theDamagedFileMBeanNamesInodeAndGeneration() throws Exception {
        FiemapExtent extent = AgentFixture.extents(XFS.path("plain.bin")).get(0);
        report(extent.physical() + 4096, 4096);
        long inode = (Long) Files.getAttribute(XFS.path("plain.bin"), "unix:ino");
        long generation;
        try (NativeFile file = NativeFile.openReadOnly(XFS.path("plain.bin"))) {
            generation = FileGeneration.of(file);
        }

        ObjectName plain = ObjectNames.damagedFile(XFS.mountPoint().toString(), "/plain.bin");

        assertThat(AGENT.remote().getAttribute(plain, "Inode")).isEqualTo(inode);
        assertThat(AGENT.remote().getAttribute(plain, "Generation")).isEqualTo(generation);
        assertThat(AGENT.remote().getAttribute(plain, "Size")).isEqualTo(16L * 1024);
        assertThat(AGENT.remote().getAttribute(plain, "State")).isEqualTo("OPEN");
    }

    @Test
    void resolveNamesTheOwnerWithoutRecordingDamage() throws Exception {
        FiemapExtent extent = AgentFixture.extents(XFS.path("projects/alpha/original.bin")).get(0);
        long recordsBefore = (Long) AGENT.remote().getAttribute(ObjectNames.agent(), "DamageRecords");

        CompositeData[] owners = (CompositeData[]) AGENT.remote().invoke(filesystemName(), "resolve",
                new Object[] {extent.physical() + 8 * 4096, 1L}, new String[] {"long", "long"});

        assertThat(Arrays.stream(owners).map(owner -> Arrays.asList((String[]) owner.get("paths"))))
                .containsExactlyInAnyOrder(java.util.List.of("/projects/alpha/original.bin"),
                        java.util.List.of("/projects/copy.bin"));
        assertThat(owners[0].get("fileOffset")).isEqualTo(8L * 4096);
        assertThat(AGENT.remote().getAttribute(ObjectNames.agent(), "DamageRecords")).isEqualTo(recordsBefore);
    }

    @Test
    void aReportWithANegativeSectorIsRejectedNamingTheField() {
        assertThatThrownBy(() -> AGENT.remote().invoke(ObjectNames.agent(), "reportFailure",
                new Object[] {loopName(), -1L, 1L, 5}, new String[] {"java.lang.String", "long", "long", "int"}))
                .isInstanceOf(RuntimeMBeanException.class)
                .cause()
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sector: must be greater than or equal to 0 (was -1)");
    }

    @Test
    void aReportOnAnUnknownDeviceIsRejectedNamingIt() {
        assertThatThrownBy(() -> AGENT.remote().invoke(ObjectNames.agent(), "reportFailure",
                new Object[] {"nosuchdisk9", 0L, 1L, 5}, new String[] {"java.lang.String", "long", "long", "int"}))
                .cause()
                .hasMessageContaining("no block device \"nosuchdisk9\"");
    }

    @Test
    void theFilesystemAndDeviceAreRegistered() throws Exception {
        Set<ObjectName> names = AGENT.remote().queryNames(ObjectName.getInstance("io.daxguard:*"), null);

        assertThat(names).contains(ObjectNames.agent(), filesystemName(), ObjectNames.device(loopName()));
        assertThat(AGENT.remote().getAttribute(filesystemName(), "ReverseMap")).isEqualTo("rmapbt");
    }

    @Test
    void statusShowsTheFilesystemDegradedWithItsDamagedFile() throws Exception {
        FiemapExtent extent = AgentFixture.extents(XFS.path("plain.bin")).get(0);
        report(extent.physical(), 512);

        String status = (String) AGENT.remote().invoke(ObjectNames.agent(), "status", new Object[0], new String[0]);

        assertThat(status).contains("filesystem: " + XFS.mountPoint()).contains("state: DEGRADED")
                .contains(XFS.mountPoint() + "/plain.bin");
    }
}
