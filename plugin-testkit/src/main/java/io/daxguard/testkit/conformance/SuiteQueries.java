package io.daxguard.testkit.conformance;

import io.daxguard.spi.FailureRange;
import io.daxguard.support.linux.FiemapExtent;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The ranges the suite asks about, built from the ground truth: parts of each file extent (cut inside, so an
 * untrimmed owner shows), ranges across several owners, free and metadata ranges and their edges.
 */
final class SuiteQueries {
    private static final long CAP = 1L << 20;
    private static final int SECTOR = 512;

    private SuiteQueries() {
    }

    /** Inside and whole of every extent of the files. */
    static List<FailureRange> ofFiles(List<WrittenFile> files) {
        Set<FailureRange> queries = new LinkedHashSet<>();
        for (WrittenFile file : files) {
            for (FiemapExtent extent : file.extents()) {
                queries.add(FailureRange.of(extent.physical(), Math.min(extent.length(), CAP)));
                if (extent.length() > 2 * SECTOR) {
                    queries.add(FailureRange.of(extent.physical() + SECTOR, extent.length() - 2 * SECTOR));
                }
            }
        }
        return List.copyOf(queries);
    }

    /**
     * Ranges across several owners: from the first to the last byte of the files (their blocks and whatever lies
     * between), and from the end of the last file extent into the free range after it (file, then whatever lies
     * between, then free space).
     */
    static List<FailureRange> acrossOwners(List<WrittenFile> files, FilesystemFacts facts) {
        List<FailureRange> queries = new ArrayList<>();
        long first = Long.MAX_VALUE;
        long last = 0;
        for (WrittenFile file : files) {
            for (FiemapExtent extent : file.extents()) {
                first = Math.min(first, extent.physical());
                last = Math.max(last, extent.physicalEnd());
            }
        }
        if (first >= last) {
            return queries;
        }
        queries.add(FailureRange.of(first + SECTOR, Math.min(last - first - SECTOR, 64 * CAP)));
        long lastFileByte = last;
        facts.free().stream().filter(free -> free.offset() >= lastFileByte && free.offset() - lastFileByte < 64 * CAP)
                .min(java.util.Comparator.comparingLong(KnownRange::offset))
                .ifPresent(free -> queries.add(FailureRange.of(lastFileByte - 4 * SECTOR,
                        free.offset() - lastFileByte + 4 * SECTOR + Math.min(free.length(), 4 * SECTOR))));
        return queries;
    }

    /** The start of the largest free range, a part inside it, and its edge with what comes before. */
    static List<FailureRange> ofFree(FilesystemFacts facts) {
        KnownRange free = facts.largestFree();
        List<FailureRange> queries = new ArrayList<>();
        queries.add(FailureRange.of(free.offset(), Math.min(free.length(), CAP)));
        if (free.length() > 2 * SECTOR) {
            queries.add(FailureRange.of(free.offset() + SECTOR, Math.min(free.length() - 2 * SECTOR, CAP)));
        }
        if (free.offset() >= 4 * SECTOR) {
            queries.add(FailureRange.of(free.offset() - 4 * SECTOR, 4 * SECTOR + Math.min(free.length(), 4 * SECTOR)));
        }
        return queries;
    }

    /** Each metadata range (capped), and a part inside the largest. */
    static List<FailureRange> ofMetadata(FilesystemFacts facts) {
        List<FailureRange> queries = new ArrayList<>();
        for (KnownRange metadata : facts.metadata()) {
            queries.add(FailureRange.of(metadata.offset(), Math.min(metadata.length(), CAP)));
        }
        KnownRange largest = facts.largestMetadata();
        if (largest.length() > 2 * SECTOR) {
            queries.add(FailureRange.of(largest.offset() + SECTOR, Math.min(largest.length() - 2 * SECTOR, CAP)));
        }
        return queries;
    }

    /** Everything above: what the batch and concurrency checks ask. */
    static List<FailureRange> all(List<WrittenFile> files, FilesystemFacts facts) {
        Set<FailureRange> queries = new LinkedHashSet<>(ofFiles(files));
        queries.addAll(acrossOwners(files, facts));
        queries.addAll(ofFree(facts));
        queries.addAll(ofMetadata(facts));
        return List.copyOf(queries);
    }
}
