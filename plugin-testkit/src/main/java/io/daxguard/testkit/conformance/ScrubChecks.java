package io.daxguard.testkit.conformance;

import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.Holder;
import io.daxguard.support.linux.FiemapExtent;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The checks of {@link Holder#forEachWrittenExtent}, the extents the scrubber reads: inside the window (trimmed
 * to it), in physical order, each byte once, covering every written byte of the suite's files and nothing of free
 * space or unwritten preallocation.
 */
public final class ScrubChecks {
    private static final int SHOWN_EXTENTS = 24;

    /** One visited extent. */
    public record Visited(long offset, long length) {
        public long end() {
            return offset + length;
        }

        @Override
        public String toString() {
            return "[" + offset + ", " + end() + ")";
        }
    }

    private ScrubChecks() {
    }

    /** What the holder visits in {@code [from, to)}. */
    public static List<Visited> visit(Holder holder, long from, long to) throws IOException {
        List<Visited> visited = new ArrayList<>();
        holder.forEachWrittenExtent(from, to, (offset, length) -> visited.add(new Visited(offset, length)));
        return visited;
    }

    /** What the holder visits in {@code [from, to)} of one member device. */
    public static List<Visited> visit(Holder holder, DeviceNumber member, long from, long to) throws IOException {
        List<Visited> visited = new ArrayList<>();
        holder.forEachWrittenExtent(member, from, to, (offset, length) -> visited.add(new Visited(offset, length)));
        return visited;
    }

    /** Every check of this class on what was visited in {@code [from, to)}. */
    public static void checkWrittenExtents(long from, long to, List<Visited> visited, List<WrittenFile> files,
                                           FilesystemFacts facts) {
        checkOrderAndWindow(from, to, visited);
        for (WrittenFile file : files) {
            for (FiemapExtent extent : file.extents()) {
                long start = Math.max(from, extent.physical());
                long end = Math.min(to, extent.physicalEnd());
                if (start >= end) {
                    continue;
                }
                if (extent.isUnwritten()) {
                    for (Visited one : visited) {
                        if (one.offset() < end && start < one.end()) {
                            fail(from, to, visited, one + " is unwritten preallocation of " + file + " (FIEMAP "
                                    + AnswerChecks.describe(extent) + "): it reads as zeros and is not scrubbed");
                        }
                    }
                } else {
                    long missing = uncovered(start, end, visited);
                    if (missing >= 0) {
                        fail(from, to, visited, "byte " + missing + " of " + file + " (FIEMAP "
                                + AnswerChecks.describe(extent) + ") is not visited: every written byte is scrubbed");
                    }
                }
            }
        }
        for (KnownRange free : facts.free()) {
            for (Visited one : visited) {
                if (free.overlaps(one.offset(), one.end())) {
                    fail(from, to, visited, one + " reaches into " + free + ", which is free space: scrubbing it"
                            + " reads nothing of value and reports damage nobody owns");
                }
            }
        }
    }

    /** Inside the window, positive lengths, ascending, no byte twice (a shared block is read once). */
    public static void checkOrderAndWindow(long from, long to, List<Visited> visited) {
        long previousEnd = from;
        for (Visited one : visited) {
            if (one.length() <= 0) {
                fail(from, to, visited, one + " is empty");
            }
            if (one.offset() < from || one.end() > to) {
                fail(from, to, visited, one + " reaches outside the window: extents must be trimmed to it");
            }
            if (one.offset() < previousEnd) {
                fail(from, to, visited, one + " starts before byte " + previousEnd + ", the end of what was visited"
                        + " before it: extents come in physical order and each byte (a shared one too) once");
            }
            previousEnd = one.end();
        }
    }

    private static long uncovered(long from, long to, List<Visited> visited) {
        long covered = from;
        for (Visited one : visited) {
            if (one.offset() > covered) {
                break;
            }
            covered = Math.max(covered, one.end());
        }
        return covered >= to ? -1 : covered;
    }

    static String describe(List<Visited> visited) {
        String shown = visited.stream().limit(SHOWN_EXTENTS).map(Visited::toString)
                .collect(Collectors.joining(" "));
        return visited.size() > SHOWN_EXTENTS ? shown + " ... " + (visited.size() - SHOWN_EXTENTS) + " more" : shown;
    }

    private static void fail(long from, long to, List<Visited> visited, String what) {
        throw new AssertionError("forEachWrittenExtent[" + from + ", " + to + "): " + what + "; visited: "
                + describe(visited));
    }
}
