package io.daxguard.xfs;

import static org.assertj.core.api.Assertions.assertThat;

import io.daxguard.spi.FailureRange;
import io.daxguard.spi.Holder;
import io.daxguard.spi.Owner;
import io.daxguard.spi.PluginContext;
import io.daxguard.support.linux.Fiemap;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.support.linux.NativeFile;
import io.daxguard.support.linux.OverlappedCalls;
import io.daxguard.testkit.ScratchFilesystem;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A batch of ranges is answered range by range exactly as separate calls answer them. */
@Tag("mount")
class XfsBatchTest {
    @RegisterExtension
    static final ScratchFilesystem XFS = ScratchFilesystem.xfs().build();

    @Test
    void aBatchAnswersEachRangeAsSeparateCallsDo() throws Exception {
        XfsFixtures.writeSynced(XFS.path("first.bin"), 8);
        XfsFixtures.writeSynced(XFS.path("second.bin"), 8);
        List<FailureRange> ranges = new ArrayList<>();
        for (String name : List.of("first.bin", "second.bin")) {
            try (NativeFile file = NativeFile.openReadOnly(XFS.path(name))) {
                Fiemap.map(file, 0, Long.MAX_VALUE, 0, Fiemap.DEFAULT_BATCH, (FiemapExtent extent) -> {
                    ranges.add(FailureRange.of(extent.physical() + XfsFixtures.BLOCK, 1));
                    return true;
                });
            }
        }
        ranges.add(FailureRange.of(0, XfsFixtures.BLOCK));
        try (Holder holder = new XfsPlugin().attach(XfsFixtures.mountOf(XFS), PluginContext.of(System.getLogger("t")))) {
            List<List<Owner>> separately = new ArrayList<>();
            for (FailureRange range : ranges) {
                separately.add(holder.notifyFailure(range));
            }

            assertThat(holder.notifyFailures(ranges)).isEqualTo(separately);
        }
    }

    @Test
    void aBatchOutOfDiskOrderWithRepeatsAnswersEachRangeInItsPlace() throws Exception {
        // More files than OverlappedCalls.MIN_OVERLAPPED: their BULKSTATs are made a few at a time.
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 2 * OverlappedCalls.MIN_OVERLAPPED; i++) {
            names.add("batch-" + i + ".bin");
            XfsFixtures.writeSynced(XFS.path(names.get(i)), 8);
        }
        List<FailureRange> ranges = new ArrayList<>();
        for (String name : names) {
            try (NativeFile file = NativeFile.openReadOnly(XFS.path(name))) {
                Fiemap.map(file, 0, Long.MAX_VALUE, 0, Fiemap.DEFAULT_BATCH, (FiemapExtent extent) -> {
                    // two blocks of each extent: the same inode asked by two ranges
                    ranges.add(FailureRange.of(extent.physical(), XfsFixtures.BLOCK));
                    ranges.add(FailureRange.of(extent.physical() + 2 * XfsFixtures.BLOCK, 1));
                    return true;
                });
            }
        }
        ranges.add(FailureRange.of(0, XfsFixtures.BLOCK));
        Collections.reverse(ranges);
        ranges.add(ranges.get(0));
        try (Holder holder = new XfsPlugin().attach(XfsFixtures.mountOf(XFS), PluginContext.of(System.getLogger("t")))) {
            List<List<Owner>> separately = new ArrayList<>();
            for (FailureRange range : ranges) {
                separately.add(holder.notifyFailure(range));
            }

            assertThat(holder.notifyFailures(ranges)).isEqualTo(separately);
        }
    }
}
