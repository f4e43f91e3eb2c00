package io.daxguard.agent.recovery;

import io.daxguard.agent.ledger.DamagedFile;
import io.daxguard.agent.topology.DirectIoAlignment;
import io.daxguard.spi.FileOwner;
import io.daxguard.support.linux.Fiemap;
import io.daxguard.support.linux.NativeCallException;
import io.daxguard.support.linux.NativeFile;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What must still hold before a repair writes over a file's damaged ranges, checked on the opened descriptor (whose
 * filesystem UUID and file identity were checked first): the file still maps every damaged range to the blocks the
 * damage was found in ({@code FS_IOC_FIEMAP}), and every range still fails to read. Data the application rewrote
 * since detection lives elsewhere (copy-on-write, a re-allocation) or reads clean where it was; writing zeros or
 * an older replica over it would destroy it. The operator may force the write over ranges that read clean (the
 * {@code force...} operations), never over blocks the file no longer maps.
 */
final class StillDamaged {
    private StillDamaged() {
    }

    /**
     * Refuses when a hit's file range no longer maps to its recorded blocks (moved, a hole now, past the end).
     *
     * @throws IllegalStateException naming the ranges and where they are now
     */
    static void requireMapped(NativeFile file, List<DamagedFile.Hit> hits, String shown) throws IOException {
        List<String> moved = new ArrayList<>();
        for (DamagedFile.Hit hit : hits) {
            String problem = mappingProblem(file, hit.owner());
            if (problem != null) {
                FileOwner owner = hit.owner();
                moved.add("file bytes " + owner.fileOffset() + "-" + (owner.fileOffset() + owner.length() - 1) + " "
                        + problem);
            }
        }
        if (!moved.isEmpty()) {
            throw new IllegalStateException("refused: " + shown + " no longer maps the damaged blocks: "
                    + String.join("; ", moved) + ". The data there was rewritten since the damage was found; nothing "
                    + "written (verify() closes ranges that read clean)");
        }
    }

    /** Why the owner's file range does not map to its recorded blocks now, or null when it does. */
    private static String mappingProblem(NativeFile file, FileOwner owner) throws IOException {
        long start = owner.fileOffset();
        long end = start + owner.length();
        long[] covered = {start};
        String[] problem = {null};
        Fiemap.map(file, start, owner.length(), Fiemap.FLAG_SYNC, Fiemap.DEFAULT_BATCH, extent -> {
            if (extent.logicalEnd() <= covered[0]) {
                return true;
            }
            long from = Math.max(extent.logical(), covered[0]);
            if (from > covered[0]) {
                problem[0] = "have a hole at file byte " + covered[0];
                return false;
            }
            if (extent.hasNoPhysicalAddress()) {
                problem[0] = "have no block yet at file byte " + from + " (delayed allocation)";
                return false;
            }
            long expected = owner.physicalOffset() + (from - start);
            long actual = extent.physical() + (from - extent.logical());
            if (actual != expected) {
                problem[0] = "are at device byte " + actual + " now, not " + expected;
                return false;
            }
            covered[0] = Math.min(end, extent.logicalEnd());
            return covered[0] < end;
        });
        if (problem[0] == null && covered[0] < end) {
            problem[0] = "are not mapped from file byte " + covered[0] + " (a hole, or past the end of the file)";
        }
        return problem[0];
    }

    /**
     * Refuses when a hit reads clean now, unless forced.
     *
     * @param direct   the file opened {@code O_DIRECT}
     * @param forcedBy the operation that writes anyway, named in the refusal
     * @throws IllegalStateException naming the ranges that read clean
     */
    static void requireReadsBad(NativeFile direct, List<DamagedFile.Hit> hits, DirectIoAlignment alignment,
                                String shown, String forcedBy) throws IOException {
        long size = direct.status().size();
        List<String> clean = new ArrayList<>();
        for (DamagedFile.Hit hit : hits) {
            PageRange range = PageRange.of(hit, alignment).clippedForDirectRead(size, alignment);
            if (!range.isEmpty() && readsClean(direct, range, alignment)) {
                clean.add(range.toString());
            }
        }
        if (!clean.isEmpty()) {
            throw new IllegalStateException("refused: " + shown + " " + String.join(", ", clean) + " read clean now "
                    + "(rewritten since the damage was found, or repaired by the device): writing would destroy that "
                    + "data; nothing written. verify() closes ranges that read clean; " + forcedBy
                    + " writes anyway");
        }
    }

    private static boolean readsClean(NativeFile direct, PageRange range, DirectIoAlignment alignment)
            throws IOException {
        try {
            RangeIo.readDirect(direct, range, alignment, (offset, chunk, length) -> true);
            return true;
        } catch (NativeCallException failed) {
            return false;
        }
    }
}
