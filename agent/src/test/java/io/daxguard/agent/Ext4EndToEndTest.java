package io.daxguard.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.jmx.ObjectNames;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.support.linux.FileGeneration;
import io.daxguard.support.linux.NativeFile;
import io.daxguard.testkit.ScratchFilesystem;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A failure reported over JMX on a real ext4, whose owners come from the ext4 plugin's index: the agent reaches
 * the index's status, waits for it and reads the e2fsck bad-block list through the SPI alone.
 */
@Tag("mount")
class Ext4EndToEndTest {
    private static final int BLOCK = 4096;

    @RegisterExtension
    static final ScratchFilesystem EXT4 = ScratchFilesystem.ext4().mkfsOptions("-b", "4096").build();

    @RegisterExtension
    @Order(Integer.MAX_VALUE) // after EXT4: started once it is mounted, stopped before it is unmounted
    static final RunningAgent AGENT = RunningAgent.startedAfter(Ext4EndToEndTest::writeFiles);

    /** The files the agent finds at attach. */
    private static void writeFiles() throws Exception {
        Files.createDirectories(EXT4.path("docs"));
        AgentFixture.writeFile(EXT4.path("docs/report.bin"), 64 * 1024, 1);
        AgentFixture.writeFile(EXT4.path("plain.bin"), 16 * 1024, 2);
        Files.createDirectories(EXT4.path("moved"));
        AgentFixture.writeFile(EXT4.path("moved/before.bin"), 16 * 1024, 3);
    }

    @BeforeAll
    static void awaitTheIndex() throws Exception {
        // Attaching returns at once and the index builds on its own thread; wait for it, bounded, no sleeps.
        assertThat(AGENT.remote().invoke(filesystemName(), "awaitReverseMap", new Object[] {60}, new String[] {"int"}))
                .as("index built").isEqualTo(true);
    }

    private static ObjectName filesystemName() {
        return ObjectNames.filesystem(EXT4.mountPoint().toString());
    }

    private static void report(long deviceOffset, long bytes) throws Exception {
        AGENT.remote().invoke(ObjectNames.agent(), "reportFailure",
                new Object[] {EXT4.device().getFileName().toString(), deviceOffset / 512, bytes / 512, 5},
                new String[] {"java.lang.String", "long", "long", "int"});
    }

    @Test
    void aFailureUnderAFileMakesADamagedFileMBeanWithItsInodeGenerationAndOffset() throws Exception {
        Path file = EXT4.path("docs/report.bin");
        FiemapExtent extent = AgentFixture.extents(file).get(0);
        long inode = (Long) Files.getAttribute(file, "unix:ino");
        long generation;
        try (NativeFile open = NativeFile.openReadOnly(file)) {
            generation = FileGeneration.of(open);
        }

        report(extent.physical() + 2 * BLOCK, BLOCK);

        ObjectName damaged = ObjectNames.damagedFile(EXT4.mountPoint().toString(), "/docs/report.bin");
        assertThat(AGENT.remote().getAttribute(damaged, "Inode")).isEqualTo(inode);
        assertThat(AGENT.remote().getAttribute(damaged, "Generation")).isEqualTo(generation);
        CompositeData[] ranges = (CompositeData[]) AGENT.remote().getAttribute(damaged, "DamagedRanges");
        assertThat(ranges).singleElement().satisfies(range -> {
            assertThat(range.get("fileOffset")).isEqualTo(extent.logical() + 2 * BLOCK);
            assertThat(range.get("length")).isEqualTo((long) BLOCK);
        });
    }

    /** Confirmed by its handle without a rebuild; the index's name no longer leads to it, so it is looked for. */
    @Test
    void aFileRenamedAfterTheIndexWasBuiltIsNamedByItsNewNameOnly() throws Exception {
        Path renamed = Files.move(EXT4.path("moved/before.bin"), EXT4.path("moved/after.bin"));
        FiemapExtent extent = AgentFixture.extents(renamed).get(0);

        report(extent.physical(), BLOCK);

        String mount = EXT4.mountPoint().toString();
        assertThat(AGENT.remote().isRegistered(ObjectNames.damagedFile(mount, "/moved/after.bin"))).isTrue();
        assertThat(AGENT.remote().isRegistered(ObjectNames.damagedFile(mount, "/moved/before.bin"))).isFalse();
    }

    @Test
    void theBadBlockListNamesTheFilesystemBlockOfTheDamage() throws Exception {
        FiemapExtent extent = AgentFixture.extents(EXT4.path("plain.bin")).get(0);
        long block = extent.physical() / BLOCK + 1;
        report(block * BLOCK + 1024, 512);

        String list = (String) AGENT.remote().invoke(filesystemName(), "badBlockList", new Object[0], new String[0]);

        assertThat(list.lines()).contains(Long.toString(block));
    }

    @Test
    void theReverseMapStatusSaysReadyWithTheFilesIndexed() throws Exception {
        String status = (String) AGENT.remote().getAttribute(filesystemName(), "ReverseMapStatus");

        assertThat(status).matches("ready: [0-9,]+ files, [0-9,]+ extents \\([0-9,]+ KiB, built in [0-9,]+ ms\\)"
                + "|rebuilding \\(ready: [0-9,]+ files, [0-9,]+ extents\\)");
        assertThat(AGENT.remote().getAttribute(filesystemName(), "ReverseMap")).isEqualTo("index:inode-tables");
    }

    @Test
    void indexBuildsAreCountedByCauseOnTheMBeanAndInTheStatus() throws Exception {
        TabularData rebuilds = (TabularData) AGENT.remote().getAttribute(filesystemName(), "IndexRebuilds");
        String status = (String) AGENT.remote().invoke(ObjectNames.agent(), "status", new Object[0], new String[0]);

        assertThat(rebuilds.get(new Object[] {"first"}).get("value")).isEqualTo(1L);
        assertThat(rebuilds.get(new Object[] {"changed"}).get("value")).isEqualTo(0L);
        assertThat(status).containsPattern("index: (ready|rebuilding).*; builds: first 1, changed 0, rejected 0, "
                + "unexplained 0, inline 0");
    }

    /** The hint is shown as the plugin wrote it: once "unmount and run unmount, then e2fsck ...". */
    @Test
    void damagedMetadataSaysWhatToDoInOneSentence() throws Exception {
        report(1024, 512); // the primary superblock

        CompositeData[] metadata = (CompositeData[]) AGENT.remote().getAttribute(filesystemName(), "MetadataDamage");

        assertThat(metadata).singleElement().satisfies(owner -> assertThat(owner.get("action")).isEqualTo("Unmount "
                + EXT4.mountPoint() + " and run e2fsck -f -l FILE " + EXT4.device() + ", with FILE holding the"
                + " Filesystem MBean's badBlockList; if e2fsck cannot read the superblock, add -b and the block number"
                + " of a backup superblock (mke2fs -n with the filesystem's parameters lists them)."));
    }
}
