package io.daxguard.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.agent.config.ConfigLoader;
import io.daxguard.agent.daemon.AgentService;
import io.daxguard.agent.jmx.ObjectNames;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.ScratchFilesystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.openmbean.CompositeData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Adversarial review of the names index laid out by inode, end to end: on XFS filesystems of five 0.8 TiB allocation
 * groups (sparse images), with and without a reverse-map btree, files in directories of the high groups have inode
 * numbers above 2^32. {@code resolveRangesAsColumns} and {@code resolve} name each such file by its inode and every
 * one of its paths, hard links across groups included.
 */
@Tag("mount")
class HighInodeNumbersAdversarialTest {
    @RegisterExtension
    static final ScratchFilesystem WIDE = ScratchFilesystem.xfs().sizeMiB(4L << 20)
            .mkfsOptions("-K", "-d", "agcount=5", "-l", "size=64m").build();

    @RegisterExtension
    static final ScratchFilesystem WIDE_RMAP = ScratchFilesystem.xfs().sizeMiB(4L << 20)
            .mkfsOptions("-K", "-d", "agcount=5", "-l", "size=64m", "-m", "rmapbt=1,reflink=1").build();

    @TempDir
    static Path home;
    private static AgentService service;
    private static MBeanServer server;

    @BeforeAll
    static void startAgent() throws Exception {
        for (ScratchFilesystem filesystem : new ScratchFilesystem[] {WIDE, WIDE_RMAP}) {
            for (int group = 0; group < 10; group++) {
                Path directory = Files.createDirectory(filesystem.path("group-" + group));
                AgentFiles.writeFile(directory.resolve("data.bin"), 16 * 1024, group);
                Files.createLink(filesystem.path("link-to-" + group), directory.resolve("data.bin"));
            }
            Command.run("sync", "-f", filesystem.mountPoint().toString());
        }
        server = MBeanServerFactory.newMBeanServer();
        service = AgentService.init(ConfigLoader.parse("test", """
                watch: ["%s"]
                stateDirectory: %s
                sources: {kmsg: false, trace: false, badblocks: false}
                jmx: {local: false}
                """.formatted(System.getProperty("java.io.tmpdir"), home.resolve("state"))), home, server);
        service.start();
        for (ScratchFilesystem filesystem : new ScratchFilesystem[] {WIDE, WIDE_RMAP}) {
            assertThat(server.invoke(ObjectNames.filesystem(filesystem.mountPoint().toString()), "awaitReverseMap",
                    new Object[] {60}, new String[] {"int"})).isEqualTo(true);
        }
    }

    @AfterAll
    static void stopAgent() {
        if (service != null) {
            service.close();
        }
    }

    private static long inode(Path path) throws Exception {
        return (Long) Files.getAttribute(path, "unix:ino");
    }

    private static void assertEveryFileIsNamedByItsInodeAndPaths(ScratchFilesystem filesystem) throws Exception {
        long[] offsets = new long[10];
        long[] lengths = new long[10];
        List<String> expected = new ArrayList<>();
        for (int group = 0; group < 10; group++) {
            Path data = filesystem.path("group-" + group + "/data.bin");
            offsets[group] = AgentFiles.extents(data).get(0).physical();
            lengths[group] = 4096;
            expected.add(group + " inode " + inode(data) + " [/group-" + group + "/data.bin, /link-to-" + group + "]");
        }
        assertThat(expected).as("some inode numbers above 2^32")
                .anyMatch(line -> Long.parseLong(line.split(" ")[2]) > (1L << 32));

        CompositeData columns = (CompositeData) server.invoke(ObjectNames.filesystem(filesystem.mountPoint().toString()),
                "resolveRangesAsColumns", new Object[] {offsets, lengths}, new String[] {"[J", "[J"});

        int[] range = (int[]) columns.get("range");
        long[] inode = (long[]) columns.get("inode");
        String[][] paths = (String[][]) columns.get("paths");
        List<String> found = new ArrayList<>();
        for (int row = 0; row < range.length; row++) {
            found.add(range[row] + " inode " + inode[row] + " " + sorted(paths[row]));
        }
        assertThat(found).containsExactlyElementsOf(expected);
        for (int group = 0; group < 10; group++) {
            CompositeData[] single = (CompositeData[]) server.invoke(
                    ObjectNames.filesystem(filesystem.mountPoint().toString()), "resolve",
                    new Object[] {offsets[group], 4096L}, new String[] {"long", "long"});
            assertThat(single).hasSize(1);
            assertThat(group + " inode " + single[0].get("inode") + " " + sorted((String[]) single[0]
                    .get("paths"))).isEqualTo(expected.get(group));
        }
    }

    /** The names in byte order: which index answered decides their order (see PathOrderAdversarialTest). */
    private static String sorted(String[] paths) {
        return Arrays.toString(Arrays.stream(paths).sorted().toArray());
    }

    @Test
    void onXfsWithoutAReverseMapFilesAboveTwoToTheThirtyTwoAreNamed() throws Exception {
        assertEveryFileIsNamedByItsInodeAndPaths(WIDE);
    }

    @Test
    void onXfsWithAReverseMapFilesAboveTwoToTheThirtyTwoAreNamed() throws Exception {
        assertEveryFileIsNamedByItsInodeAndPaths(WIDE_RMAP);
    }
}
