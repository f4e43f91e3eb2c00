package io.daxguard.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.testkit.Command;
import io.daxguard.testkit.ScratchFilesystem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Adversarial review of {@code Filesystem.resolveRangesAsColumns} by sweeping: 1,000 ranges of varied lengths spread
 * over the whole device of an XFS with a reverse map and reflinks (GETFSMAP per range, the batch spread over the cores
 * when warm), an ext4 and a btrfs with reflinks, each holding hundreds of files, hard links and copies. Every range's
 * rows are the owners {@code resolve} answers for that range alone, and the owners {@code resolveRanges} answers in
 * the same order.
 */
@Tag("mount")
class ResolveRangesAsColumnsSweepAdversarialTest {
    private static final String[] RANGE_SIGNATURE = {"[J", "[J"};
    private static final List<String> FIELDS = List.of("kind", "filesystemOffset", "length", "inode", "generation",
            "fork", "fileOffset", "shared", "unwritten", "paths", "structure", "action");
    private static final long[] LENGTHS = {4096, 1, 12288, 512, 65536, 4096 * 3 + 17};

    @RegisterExtension
    static final ScratchFilesystem XFS = ScratchFilesystem.xfs().mkfsOptions("-m", "rmapbt=1,reflink=1").build();

    @RegisterExtension
    static final ScratchFilesystem EXT4 = ScratchFilesystem.ext4().build();

    @RegisterExtension
    static final ScratchFilesystem BTRFS = ScratchFilesystem.of("btrfs").sizeMiB(256).build();

    @TempDir
    static Path home;
    private static RemoteAgent running;

    @BeforeAll
    static void startAgent() throws Exception {
        for (ScratchFilesystem filesystem : new ScratchFilesystem[] {XFS, EXT4, BTRFS}) {
            fill(filesystem);
        }
        running = RemoteAgent.start(home, "monitor", "", XFS, EXT4, BTRFS);
    }

    private static void fill(ScratchFilesystem filesystem) throws IOException {
        boolean reflinks = filesystem != EXT4;
        for (int directory = 0; directory < 10; directory++) {
            Path made = Files.createDirectory(filesystem.path("d" + directory));
            for (int file = 0; file < 30; file++) {
                AgentFiles.writeFile(made.resolve("f" + file), 4096 * (1 + file % 5), directory * 100L + file);
            }
        }
        for (int i = 0; i < 10; i++) {
            Files.createLink(filesystem.path("d" + ((i + 1) % 10) + "/link-" + i), filesystem.path("d" + i + "/f1"));
            if (reflinks) {
                for (int copy = 0; copy < 3; copy++) {
                    Command.run("cp", "--reflink=always", filesystem.path("d" + i + "/f4").toString(),
                            filesystem.path("d" + ((i + copy) % 10) + "/copy-" + i + "-" + copy).toString());
                }
            }
        }
        Command.run("sync", "-f", filesystem.mountPoint().toString());
    }

    @AfterAll
    static void stopAgent() throws Exception {
        if (running != null) {
            running.close();
        }
    }

    private static MBeanServerConnection agent() throws Exception {
        return running.connection();
    }

    private static ObjectName filesystem(ScratchFilesystem filesystem) {
        return RemoteAgent.filesystem(filesystem);
    }

    private static String field(Object value) {
        return value instanceof String[] strings ? Arrays.toString(strings) : String.valueOf(value);
    }

    private static String line(java.util.function.Function<String, Object> valueOf) {
        List<String> line = new ArrayList<>();
        for (String name : FIELDS) {
            line.add(name + "=" + field(valueOf.apply(name)));
        }
        return String.join(" ", line);
    }

    private static long deviceBytes(ScratchFilesystem filesystem) throws Exception {
        return Long.parseLong(Files.readString(Path.of("/sys/class/block",
                filesystem.device().getFileName().toString(), "size")).strip()) * 512;
    }

    private static void assertSweepAgreesWithResolve(ScratchFilesystem filesystem) throws Exception {
        long size = deviceBytes(filesystem);
        int count = 1000;
        long[] offsets = new long[count];
        long[] lengths = new long[count];
        for (int i = 0; i < count; i++) {
            offsets[i] = (size / count * i) / 4096 * 4096 + (i % 7 == 3 ? 1000 : 0);
            lengths[i] = LENGTHS[i % LENGTHS.length];
        }
        // Warm: the asked batch is answered from the caches, so its GETFSMAPs are spread over the cores.
        agent().invoke(filesystem(filesystem), "resolveRangesAsColumns", new Object[] {offsets, lengths},
                RANGE_SIGNATURE);

        CompositeData columns = (CompositeData) agent().invoke(filesystem(filesystem), "resolveRangesAsColumns",
                new Object[] {offsets, lengths}, RANGE_SIGNATURE);
        CompositeData[] rows = (CompositeData[]) agent().invoke(filesystem(filesystem), "resolveRanges",
                new Object[] {offsets, lengths}, RANGE_SIGNATURE);

        int[] range = (int[]) columns.get("range");
        List<List<String>> fromColumns = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            fromColumns.add(new ArrayList<>());
        }
        for (int row = 0; row < range.length; row++) {
            int at = row;
            fromColumns.get(range[row]).add(line(name -> java.lang.reflect.Array.get(columns.get(name), at)));
        }
        List<String> files = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            List<String> fromRows = Arrays.stream((CompositeData[]) rows[i].get("owners"))
                    .map(owner -> line(owner::get)).toList();
            List<String> single = Arrays.stream((CompositeData[]) agent().invoke(filesystem(filesystem), "resolve",
                    new Object[] {offsets[i], lengths[i]}, new String[] {"long", "long"}))
                    .map(owner -> line(owner::get)).toList();
            assertThat(fromColumns.get(i)).as("range %d (%d+%d)", i, offsets[i], lengths[i])
                    .containsExactlyElementsOf(single).containsExactlyElementsOf(fromRows);
            fromColumns.get(i).stream().filter(owner -> owner.startsWith("kind=file")).forEach(files::add);
        }
        assertThat(files).as("the sweep met files").isNotEmpty();
    }

    @Test
    void onXfsWithAReverseMapEveryRangeOfASweepIsWhatResolveAnswers() throws Exception {
        assertSweepAgreesWithResolve(XFS);
    }

    @Test
    void onExt4EveryRangeOfASweepIsWhatResolveAnswers() throws Exception {
        assertSweepAgreesWithResolve(EXT4);
    }

    @Test
    void onBtrfsEveryRangeOfASweepIsWhatResolveAnswers() throws Exception {
        assertSweepAgreesWithResolve(BTRFS);
    }

    private static List<String> pathsOfColumns(ScratchFilesystem filesystem, long block) throws Exception {
        CompositeData columns = (CompositeData) agent().invoke(filesystem(filesystem), "resolveRangesAsColumns",
                new Object[] {new long[] {block, block}, new long[] {4096, 4096}}, RANGE_SIGNATURE);
        String[][] paths = (String[][]) columns.get("paths");
        assertThat(paths.length).isEqualTo(2);
        assertThat(paths[1]).containsExactly(paths[0]);
        return List.of(paths[0]);
    }

    /**
     * On XFS with rmapbt the agent names files from its own walk (the holder keeps no names): a directory renamed, a
     * hard link made in another directory and one removed between two calls are all seen by the second.
     */
    @Test
    void onXfsWithAReverseMapNamesChangedBetweenCallsAreAnsweredAsTheyAreNow() throws Exception {
        Files.createDirectories(XFS.path("moving/inner"));
        AgentFiles.writeFile(XFS.path("moving/inner/file.bin"), 8192, 77);
        Files.createLink(XFS.path("d3/old-link.bin"), XFS.path("moving/inner/file.bin"));
        Command.run("sync", "-f", XFS.mountPoint().toString());
        long block = AgentFiles.extents(XFS.path("moving/inner/file.bin")).get(0).physical();
        assertThat(pathsOfColumns(XFS, block)).containsExactly("/d3/old-link.bin", "/moving/inner/file.bin");

        Files.move(XFS.path("moving"), XFS.path("d7/moved"));
        Files.createLink(XFS.path("d9/new-link.bin"), XFS.path("d7/moved/inner/file.bin"));
        Files.delete(XFS.path("d3/old-link.bin"));

        assertThat(pathsOfColumns(XFS, block)).containsExactly("/d7/moved/inner/file.bin", "/d9/new-link.bin");
    }

    private static List<String> rowsOf(CompositeData columns) {
        int[] range = (int[]) columns.get("range");
        List<String> rows = new ArrayList<>();
        for (int row = 0; row < range.length; row++) {
            int at = row;
            rows.add(range[row] + " " + line(name -> java.lang.reflect.Array.get(columns.get(name), at)));
        }
        return rows;
    }

    /**
     * Four clients asking 1,000-range batches at once on XFS with rmapbt (each batch spread over the cores, the
     * name checks shared) get what one client asking alone gets.
     */
    @Test
    void onXfsWithAReverseMapBatchesAskedAtOnceAnswerWhatOneAskedAloneAnswers() throws Exception {
        long size = deviceBytes(XFS);
        long[] offsets = new long[1000];
        long[] lengths = new long[1000];
        for (int i = 0; i < offsets.length; i++) {
            offsets[i] = (size / 2 / offsets.length * i) / 4096 * 4096;
            lengths[i] = LENGTHS[i % LENGTHS.length];
        }
        Object[] arguments = {offsets, lengths};
        List<String> alone = rowsOf((CompositeData) agent().invoke(filesystem(XFS), "resolveRangesAsColumns",
                arguments, RANGE_SIGNATURE));
        java.util.concurrent.ExecutorService clients = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<List<String>>> answers = new ArrayList<>();
            for (int round = 0; round < 12; round++) {
                answers.add(clients.submit(() -> rowsOf((CompositeData) agent().invoke(filesystem(XFS),
                        "resolveRangesAsColumns", arguments, RANGE_SIGNATURE))));
            }
            for (java.util.concurrent.Future<List<String>> answer : answers) {
                assertThat(answer.get()).containsExactlyElementsOf(alone);
            }
        } finally {
            clients.shutdownNow();
        }
        assertThat(alone).as("the batch met files").anyMatch(row -> row.contains("kind=file"));
    }
}
