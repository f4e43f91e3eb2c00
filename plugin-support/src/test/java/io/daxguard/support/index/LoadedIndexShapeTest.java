package io.daxguard.support.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daxguard.spi.LinuxPath;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a saved index's columns must satisfy before they are used, whatever its checksum says. */
class LoadedIndexShapeTest {
    private static final LinuxPath ROOT = LinuxPath.ofText("/mnt/data");

    /** /top (a directory) holding /top/inner (a directory) holding a file. */
    private static ExtentIndex built() {
        IndexAssembler assembler = new IndexAssembler(2);
        int top = assembler.addLink(0, "top".getBytes(StandardCharsets.UTF_8), 12, true);
        int inner = assembler.addLink(top, "inner".getBytes(StandardCharsets.UTF_8), 13, true);
        assembler.addLink(inner, "file".getBytes(StandardCharsets.UTF_8), 14, false);
        assembler.addFile(12, 1);
        assembler.addFile(13, 1);
        assembler.addFile(14, 1);
        assembler.addExtent(14, 0, 8192, 4096, 0);
        return assembler.finish(ROOT, 1);
    }

    private static ExtentIndex loaded(List<PackedColumn> columns, long[] reach) {
        ExtentIndex built = built();
        return new ExtentIndex(ROOT, 2, 1, Duration.ZERO, columns, built.names(), reach);
    }

    @Test
    void theColumnsOfABuiltIndexLoadAsTheSameIndex() {
        ExtentIndex built = built();

        ExtentIndex loaded = loaded(built.columns(), built.reach());

        assertThat(loaded.pathsOf(14)).isEqualTo(built.pathsOf(14)).containsExactly(ROOT.join(LinuxPath.ofText(
                "top/inner/file")));
        assertThat(loaded.overlapping(0, Long.MAX_VALUE)).isEqualTo(built.overlapping(0, Long.MAX_VALUE));
    }

    @Test
    void refusesDirectoriesThatNameEachOtherSoThatNoPathLoops() {
        ExtentIndex built = built();
        List<PackedColumn> columns = new ArrayList<>(built.columns());
        // Each directory's link put in the other directory: top inside inner, inner inside top.
        int[] linkDirectory = new int[columns.get(8).size()];
        for (int link = 0; link < linkDirectory.length; link++) {
            linkDirectory[link] = columns.get(8).getInt(link);
        }
        int topLink = columns.get(10).getInt(1) - 1;
        int innerLink = columns.get(10).getInt(2) - 1;
        linkDirectory[topLink] = 2;
        linkDirectory[innerLink] = 1;
        columns.set(8, PackedColumn.of(linkDirectory, linkDirectory.length));

        assertThatThrownBy(() -> loaded(columns, built.reach())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a directory out of walk order");
    }

    @Test
    void refusesExtentColumnsOfDifferentLengths() {
        ExtentIndex built = built();
        List<PackedColumn> columns = new ArrayList<>(built.columns());
        columns.set(1, PackedColumn.of(new long[0], 0));

        assertThatThrownBy(() -> loaded(columns, built.reach())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("extent columns of different lengths");
    }

    @Test
    void refusesAPackedColumnWithFewerWordsThanItsValuesNeed() {
        assertThatThrownBy(() -> PackedColumn.ofPacked(new long[1], 40, 0, 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has 7 words, not 1");
    }
}
