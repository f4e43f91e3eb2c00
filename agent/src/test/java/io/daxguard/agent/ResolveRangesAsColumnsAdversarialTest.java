package io.daxguard.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daxguard.spi.LinuxPath;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.testkit.ByteNames;
import io.daxguard.testkit.Command;
import io.daxguard.testkit.ScratchFilesystem;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
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
 * Adversarial review of {@code Filesystem.resolveRangesAsColumns}, called as a plain JMX client calls it over the
 * agent's remote connector: for ranges chosen to be awkward (a block with four reflink owners, a file of three hard
 * links, a name that is not UTF-8, the superblock, a range over several extents of two files, free space, duplicate
 * and overlapping ranges, one byte), row j of the columns is an owner of range[j], and the owners of each range are
 * those {@code resolve} answers for that range alone, field by field.
 */
@Tag("mount")
class ResolveRangesAsColumnsAdversarialTest {
    private static final String[] RANGE_SIGNATURE = {"[J", "[J"};
    private static final List<String> FIELDS = List.of("kind", "filesystemOffset", "length", "inode", "generation",
            "fork", "fileOffset", "shared", "unwritten", "paths", "structure", "action");
    private static final LinuxPath NOT_UTF8 = ByteNames.latin1("caf\u00e9-\u00ff.bin");
    private static final Map<ScratchFilesystem, Long> NOT_UTF8_BLOCK = new java.util.HashMap<>();

    @RegisterExtension
    static final ScratchFilesystem EXT4 = ScratchFilesystem.ext4().build();

    @RegisterExtension
    static final ScratchFilesystem XFS = ScratchFilesystem.xfs().build();

    @TempDir
    static Path home;
    private static RemoteAgent running;

    @BeforeAll
    static void startAgent() throws Exception {
        for (ScratchFilesystem filesystem : new ScratchFilesystem[] {EXT4, XFS}) {
            makeFiles(filesystem);
        }
        running = RemoteAgent.start(home, "monitor", "", EXT4, XFS);
    }

    private static void makeFiles(ScratchFilesystem filesystem) throws IOException {
        AgentFiles.writeFile(filesystem.path("shared.bin"), 64 * 1024, 1);
        AgentFiles.writeFile(filesystem.path("hard.bin"), 64 * 1024, 2);
        Files.createDirectory(filesystem.path("one"));
        Files.createDirectory(filesystem.path("two"));
        Files.createLink(filesystem.path("one/hard-link.bin"), filesystem.path("hard.bin"));
        Files.createLink(filesystem.path("two/hard-link.bin"), filesystem.path("hard.bin"));
        AgentFiles.writeFile(filesystem.path("plain-name.bin"), 64 * 1024, 3);
        Command.run("sync", "-f", filesystem.mountPoint().toString());
        // Where its bytes are, read before the rename: the JDK cannot open the name that is not UTF-8.
        NOT_UTF8_BLOCK.put(filesystem, first(filesystem, "plain-name.bin"));
        ByteNames.rename(filesystem.path("plain-name.bin"), LinuxPath.of(filesystem.mountPoint()).join(NOT_UTF8));
        // Two files written a block at a time in turn, each block made stable before the next: their extents
        // interleave, so one range runs over several extents of both.
        try (FileChannel first = FileChannel.open(filesystem.path("interleaved-a.bin"), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE);
             FileChannel second = FileChannel.open(filesystem.path("interleaved-b.bin"),
                     StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (int block = 0; block < 8; block++) {
                for (FileChannel file : new FileChannel[] {first, second}) {
                    file.write(ByteBuffer.wrap(new byte[4096]).put(0, (byte) (block + 1)));
                    file.force(true);
                }
            }
        }
        AgentFiles.writeFile(filesystem.path("to-rename.bin"), 16 * 1024, 4);
        AgentFiles.writeFile(filesystem.path("to-delete.bin"), 16 * 1024, 5);
        if (filesystem == XFS) {
            Files.createDirectory(filesystem.path("copies"));
            for (String copy : List.of("copy-1.bin", "copies/copy-2.bin", "copies/copy-3.bin")) {
                Command.run("cp", "--reflink=always", filesystem.path("shared.bin").toString(),
                        filesystem.path(copy).toString());
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

    private static CompositeData columns(ScratchFilesystem filesystem, long[] offsets, long[] lengths)
            throws Exception {
        return (CompositeData) agent().invoke(filesystem(filesystem), "resolveRangesAsColumns",
                new Object[] {offsets, lengths}, RANGE_SIGNATURE);
    }

    private static CompositeData[] resolve(ScratchFilesystem filesystem, long offset, long length) throws Exception {
        return (CompositeData[]) agent().invoke(filesystem(filesystem), "resolve", new Object[] {offset, length},
                new String[] {"long", "long"});
    }

    private static String field(Object value) {
        return value instanceof String[] strings ? Arrays.toString(strings) : String.valueOf(value);
    }

    /** Per range, its owners as columns give them: one line per owner, the fields in {@link #FIELDS} order. */
    private static List<List<String>> ownersByRange(CompositeData columns) {
        int ranges = (Integer) columns.get("ranges");
        int[] range = (int[]) columns.get("range");
        List<List<String>> owners = new ArrayList<>();
        for (int i = 0; i < ranges; i++) {
            owners.add(new ArrayList<>());
        }
        for (int row = 0; row < range.length; row++) {
            List<String> line = new ArrayList<>();
            for (String name : FIELDS) {
                Object column = columns.get(name);
                line.add(name + "=" + field(java.lang.reflect.Array.get(column, row)));
            }
            owners.get(range[row]).add(String.join(" ", line));
        }
        return owners;
    }

    private static List<String> ownersOf(CompositeData[] single) {
        List<String> owners = new ArrayList<>();
        for (CompositeData owner : single) {
            List<String> line = new ArrayList<>();
            for (String name : FIELDS) {
                line.add(name + "=" + field(owner.get(name)));
            }
            owners.add(String.join(" ", line));
        }
        return owners;
    }

    private static long first(ScratchFilesystem filesystem, String file) throws IOException {
        return AgentFiles.extents(filesystem.path(file)).get(0).physical();
    }

    private static long firstOf(ScratchFilesystem filesystem, LinuxPath name) {
        return NOT_UTF8_BLOCK.get(filesystem);
    }

    private static long deviceBytes(ScratchFilesystem filesystem) throws Exception {
        return Long.parseLong(Files.readString(Path.of("/sys/class/block",
                filesystem.device().getFileName().toString(), "size")).strip()) * 512;
    }

    /** The awkward ranges, as offsets then lengths. */
    private static long[][] awkwardRanges(ScratchFilesystem filesystem) throws Exception {
        List<FiemapExtent> a = AgentFiles.extents(filesystem.path("interleaved-a.bin"));
        List<FiemapExtent> b = AgentFiles.extents(filesystem.path("interleaved-b.bin"));
        List<FiemapExtent> both = new ArrayList<>(a);
        both.addAll(b);
        long spanStart = both.stream().mapToLong(FiemapExtent::physical).min().orElseThrow();
        long spanEnd = both.stream().mapToLong(extent -> extent.physical() + extent.length()).max().orElseThrow();
        assertThat(a.size() + b.size()).as("the interleaved files have several extents").isGreaterThan(2);
        long shared = first(filesystem, "shared.bin");
        long hard = first(filesystem, "hard.bin");
        long[] offsets = {shared, hard, firstOf(filesystem, NOT_UTF8), 0, spanStart, deviceBytes(filesystem) - 4096,
                shared, shared + 2048, hard + 100, shared, hard + 4096};
        long[] lengths = {4096, 4096, 4096, 4096, spanEnd - spanStart, 4096,
                4096, 4096, 1, 8192, 65536 - 4096};
        return new long[][] {offsets, lengths};
    }

    private static void assertEachRangesOwnersAreResolvesOwners(ScratchFilesystem filesystem) throws Exception {
        long[][] ranges = awkwardRanges(filesystem);

        List<List<String>> fromColumns = ownersByRange(columns(filesystem, ranges[0], ranges[1]));

        assertThat(fromColumns).hasSize(ranges[0].length);
        for (int i = 0; i < ranges[0].length; i++) {
            assertThat(fromColumns.get(i)).as("range %d (%d+%d)", i, ranges[0][i], ranges[1][i])
                    .containsExactlyElementsOf(ownersOf(resolve(filesystem, ranges[0][i], ranges[1][i])));
        }
    }

    @Test
    void onXfsEachRangesOwnersAreWhatResolveAnswersForItAlone() throws Exception {
        assertEachRangesOwnersAreResolvesOwners(XFS);
    }

    @Test
    void onExt4EachRangesOwnersAreWhatResolveAnswersForItAlone() throws Exception {
        assertEachRangesOwnersAreResolvesOwners(EXT4);
    }

    @Test
    void aBlockWithFourReflinkOwnersHasFourRowsEachNamingItsFile() throws Exception {
        long shared = first(XFS, "shared.bin");

        List<List<String>> owners = ownersByRange(columns(XFS, new long[] {shared}, new long[] {4096}));

        assertThat(owners.get(0)).hasSize(4).allMatch(owner -> owner.contains("shared=true"))
                .anyMatch(owner -> owner.contains("paths=[/shared.bin]"))
                .anyMatch(owner -> owner.contains("paths=[/copy-1.bin]"))
                .anyMatch(owner -> owner.contains("paths=[/copies/copy-2.bin]"))
                .anyMatch(owner -> owner.contains("paths=[/copies/copy-3.bin]"));
    }

    @Test
    void aFileOfThreeHardLinksIsOneRowWithThreePaths() throws Exception {
        List<List<String>> owners = ownersByRange(columns(XFS, new long[] {first(XFS, "hard.bin")},
                new long[] {4096}));

        assertThat(owners.get(0)).singleElement().asString()
                .contains("paths=[/hard.bin, /one/hard-link.bin, /two/hard-link.bin]");
    }

    @Test
    void aNameThatIsNotUtf8IsShownAsResolveShowsIt() throws Exception {
        long block = firstOf(XFS, NOT_UTF8);

        List<List<String>> owners = ownersByRange(columns(XFS, new long[] {block}, new long[] {4096}));

        assertThat(owners.get(0)).singleElement().asString().contains("paths=[/" + NOT_UTF8.display() + "]");
    }

    @Test
    void rangesPastTheEndAreAnsweredOrRefusedAsResolveDoesEachAlone() throws Exception {
        long end = deviceBytes(XFS);
        long[] offsets = {end - 4096, end, end + (1L << 30)};
        long[] lengths = {8192, 4096, 4096};
        for (int i = 0; i < offsets.length; i++) {
            long offset = offsets[i];
            long length = lengths[i];
            Object single;
            try {
                single = ownersOf(resolve(XFS, offset, length));
            } catch (Exception refused) {
                single = "refused";
            }
            Object fromColumns;
            try {
                fromColumns = ownersByRange(columns(XFS, new long[] {offset}, new long[] {length})).get(0);
            } catch (Exception refused) {
                fromColumns = "refused";
            }
            assertThat(fromColumns).as("%d+%d", offset, length).isEqualTo(single);
        }
    }

    private static void assertARenamedFileIsNamedByItsNewNameInTheNextCall(ScratchFilesystem fs) throws Exception {
        long block = first(fs, "to-rename.bin");
        assertThat(ownersByRange(columns(fs, new long[] {block, block}, new long[] {4096, 4096})).get(1))
                .singleElement().asString().contains("paths=[/to-rename.bin]");

        Files.createDirectories(fs.path("going/inner"));
        Files.move(fs.path("to-rename.bin"), fs.path("going/inner/renamed.bin"));
        Files.move(fs.path("going"), fs.path("two/gone"));

        List<List<String>> owners = ownersByRange(columns(fs, new long[] {block, block}, new long[] {4096, 4096}));
        assertThat(owners.get(0)).singleElement().asString().contains("paths=[/two/gone/inner/renamed.bin]");
        assertThat(owners.get(1)).isEqualTo(owners.get(0));
    }

    @Test
    void onXfsARenamedFileIsNamedByItsNewNameInTheNextCall() throws Exception {
        assertARenamedFileIsNamedByItsNewNameInTheNextCall(XFS);
    }

    @Test
    void onExt4ARenamedFileIsNamedByItsNewNameInTheNextCall() throws Exception {
        assertARenamedFileIsNamedByItsNewNameInTheNextCall(EXT4);
    }

    private static void assertADeletedFileIsNoLongerNamedInTheNextCall(ScratchFilesystem fs) throws Exception {
        long block = first(fs, "to-delete.bin");
        assertThat(ownersByRange(columns(fs, new long[] {block, block + 4096}, new long[] {4096, 4096})).get(0))
                .singleElement().asString().contains("paths=[/to-delete.bin]");

        Files.delete(fs.path("to-delete.bin"));
        Command.run("sync", "-f", fs.mountPoint().toString());

        List<List<String>> owners = ownersByRange(columns(fs, new long[] {block, block + 4096},
                new long[] {4096, 4096}));
        // Not compared with a later resolve: XFS frees a deleted file's blocks in the background (inodegc), so the
        // answer may be "freed meanwhile, query again" and then free space a moment later.
        assertThat(owners).flatMap(list -> list).noneMatch(owner -> owner.contains("to-delete.bin"))
                .noneMatch(owner -> owner.contains("kind=file"));
    }

    @Test
    void onXfsADeletedFileIsNoLongerNamedInTheNextCall() throws Exception {
        assertADeletedFileIsNoLongerNamedInTheNextCall(XFS);
    }

    @Test
    void onExt4ADeletedFileIsNoLongerNamedInTheNextCall() throws Exception {
        assertADeletedFileIsNoLongerNamedInTheNextCall(EXT4);
    }

    @Test
    void nullArraysAreRefusedSayingBothAreNeeded() {
        assertThatThrownBy(() -> columns(XFS, null, new long[] {0})).cause()
                .hasMessageContaining("offsets and lengths are both needed");
    }

    @Test
    void aMonitorOverTheRemoteConnectorReadsTheColumnsWithNoDaxguardClass() throws Exception {
        CompositeData answer = columns(XFS, new long[] {0, first(XFS, "hard.bin")}, new long[] {4096, 4096});

        assertThat(answer.getClass().getName()).startsWith("javax.management.openmbean.");
        for (String item : answer.getCompositeType().keySet()) {
            Object value = answer.get(item);
            Class<?> type = value.getClass();
            while (type.isArray()) {
                type = type.getComponentType();
            }
            assertThat(type.isPrimitive() || type.getName().startsWith("java.lang.")).as(item).isTrue();
        }
    }

    @Test
    void aNegativeOffsetIsRefusedNamingItsRangeAndValue() {
        assertThatThrownBy(() -> columns(XFS, new long[] {0, -4096}, new long[] {4096, 4096})).cause()
                .hasMessage("resolveRangesAsColumns rejected: range 1: offset must not be negative, was -4096");
    }

    @Test
    void aRangeEndingPastAnyDeviceIsRefusedNamingItsRangeAndValues() {
        assertThatThrownBy(() -> columns(XFS, new long[] {0, 4096, Long.MAX_VALUE - 10}, new long[] {4096, 4096, 4096}))
                .cause().hasMessageStartingWith("resolveRangesAsColumns rejected: range 2: offset + length is past any "
                        + "device").hasMessageContaining(String.valueOf(Long.MAX_VALUE - 10)).hasMessageContaining("4096");
    }

    @Test
    void rangesHoldingMoreThanResolveBytesTogetherAreRefusedNamingTheSetting() {
        long half = 600L << 20;
        assertThatThrownBy(() -> columns(XFS, new long[] {0, 0}, new long[] {half, half})).cause()
                .hasMessageStartingWith("resolveRangesAsColumns rejected: the ranges hold " + 2 * half + " bytes "
                        + "together, over mbeans.resolveBytes");
    }

    @Test
    void arraysOfUnequalLengthAreRefusedNamingBoth() {
        assertThatThrownBy(() -> columns(XFS, new long[] {0, 4096}, new long[] {4096})).cause()
                .hasMessageContaining("offsets 2, lengths 1");
    }
}
