package io.daxguard.testkit.conformance;

import io.daxguard.spi.FailureRange;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.Fork;
import io.daxguard.spi.FreeSpaceOwner;
import io.daxguard.spi.MetadataOwner;
import io.daxguard.spi.Owner;
import io.daxguard.support.linux.FiemapExtent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The checks of one {@code notifyFailure} answer against the ground truth: the SPI's shape (physical order, every
 * owner trimmed to the query, every byte covered, overlaps only between sharers) and the known owners (the suite's
 * files by FIEMAP, free and metadata ranges by the filesystem's tools). Each throws an {@link AssertionError} whose
 * message names the contract, the bytes and the answer; usable on their own, outside the suite.
 */
public final class AnswerChecks {
    private static final int SHOWN_OWNERS = 24;

    private AnswerChecks() {
    }

    /** Every check of this class. */
    public static void checkAnswer(FailureRange query, List<Owner> answer, List<WrittenFile> files,
                                   FilesystemFacts facts) {
        checkShape(query, answer);
        for (WrittenFile file : files) {
            checkFileBytes(query, answer, file);
        }
        for (KnownRange free : facts.free()) {
            checkKnownRange(query, answer, free, "free space", owner -> owner instanceof FreeSpaceOwner);
        }
        for (KnownRange metadata : facts.metadata()) {
            checkKnownRange(query, answer, metadata, "filesystem metadata", owner -> owner instanceof MetadataOwner);
        }
        checkRepairHints(query, answer);
    }

    /**
     * The SPI's shape: owners in physical order, each inside the query (trimmed to it), together covering every
     * byte of it, overlapping only where both are shared file data (the sharers of a reflinked block).
     */
    public static void checkShape(FailureRange query, List<Owner> answer) {
        if (answer == null || answer.isEmpty()) {
            fail(query, answer, "the answer is empty: every byte must be covered (by free space and UnknownOwner"
                    + " too)");
        }
        long covered = query.offset();
        Owner previous = null;
        for (Owner owner : answer) {
            if (owner.physicalOffset() < query.offset() || owner.physicalEnd() > query.end()) {
                fail(query, answer, owner + " reaches outside the query: each owner's range must be trimmed to the"
                        + " queried range");
            }
            if (previous != null && owner.physicalOffset() < previous.physicalOffset()) {
                fail(query, answer, owner + " comes after " + previous + ": owners must be in physical order");
            }
            if (owner.physicalOffset() > covered) {
                fail(query, answer, "bytes [" + covered + ", " + owner.physicalOffset() + ") have no owner: every byte"
                        + " must be covered (UnknownOwner where the filesystem cannot tell)");
            }
            covered = Math.max(covered, owner.physicalEnd());
            previous = owner;
        }
        if (covered < query.end()) {
            fail(query, answer, "bytes [" + covered + ", " + query.end() + ") have no owner: every byte must be"
                    + " covered (UnknownOwner where the filesystem cannot tell)");
        }
        for (int i = 0; i < answer.size(); i++) {
            for (int j = i + 1; j < answer.size() && answer.get(j).physicalOffset() < answer.get(i).physicalEnd(); j++) {
                if (!isSharedData(answer.get(i)) || !isSharedData(answer.get(j))) {
                    fail(query, answer, answer.get(i) + " and " + answer.get(j) + " overlap: only the sharers of a"
                            + " reflinked block (FileOwners with shared = true) may");
                }
            }
        }
    }

    /**
     * The bytes of {@code file} inside the query are owned by it: a data-fork FileOwner with its subvolume, inode
     * and generation, the file offset FIEMAP gives, {@code shared} and {@code unwritten} as FIEMAP flags them; and
     * no owner names the file for bytes that are not its.
     */
    public static void checkFileBytes(FailureRange query, List<Owner> answer, WrittenFile file) {
        List<FileOwner> named = new ArrayList<>();
        for (Owner owner : answer) {
            if (owner instanceof FileOwner fileOwner && fileOwner.inode() == file.inode()
                    && fileOwner.subvolume() == file.subvolume() && fileOwner.fork() == Fork.DATA) {
                if (fileOwner.generation() != file.generation()) {
                    fail(query, answer, fileOwner + " names inode " + file.inode() + " with generation "
                            + fileOwner.generation() + ", but FS_IOC_GETVERSION of " + file.name() + " says "
                            + file.generation() + ": the generation tells a reused inode number apart");
                }
                named.add(fileOwner);
            }
        }
        for (FileOwner owner : named) {
            checkOwnerAgainstExtents(query, answer, file, owner);
        }
        for (FiemapExtent extent : file.extents()) {
            long from = Math.max(extent.physical(), query.offset());
            long to = Math.min(extent.physicalEnd(), query.end());
            if (from >= to) {
                continue;
            }
            long missing = uncovered(from, to, named);
            if (missing >= 0) {
                fail(query, answer, "byte " + missing + " of " + file + " (file offset "
                        + (extent.logical() + missing - extent.physical()) + ", FIEMAP extent " + describe(extent)
                        + ") is not reported as owned by it: every owner of every byte must be named"
                        + (extent.isShared() ? " (the block is shared: every sharer is an owner)" : ""));
            }
        }
    }

    private static void checkOwnerAgainstExtents(FailureRange query, List<Owner> answer, WrittenFile file,
                                                 FileOwner owner) {
        long at = owner.physicalOffset();
        while (at < owner.physicalEnd()) {
            FiemapExtent extent = extentHolding(file, at);
            if (extent == null) {
                fail(query, answer, owner + " names " + file + " for byte " + at + ", which FIEMAP does not place in"
                        + " that file");
            }
            long expectedOffset = extent.logical() + (at - extent.physical());
            long ownerOffset = owner.fileOffset() + (at - owner.physicalOffset());
            if (ownerOffset != expectedOffset) {
                fail(query, answer, owner + " puts byte " + at + " at file offset " + ownerOffset + " of " + file
                        + "; FIEMAP says " + expectedOffset);
            }
            if (owner.shared() != extent.isShared()) {
                fail(query, answer, owner + " says shared = " + owner.shared() + " for " + file + ", FIEMAP extent "
                        + describe(extent) + (extent.isShared() ? " is" : " is not") + " shared");
            }
            if (owner.unwritten() != extent.isUnwritten()) {
                fail(query, answer, owner + " says unwritten = " + owner.unwritten() + " for " + file
                        + ", FIEMAP extent " + describe(extent) + (extent.isUnwritten() ? " is" : " is not")
                        + " unwritten (preallocated)");
            }
            at = Math.min(owner.physicalEnd(), extent.physicalEnd());
        }
    }

    /** Bytes of a known range inside the query are all owned by owners of the expected kind, and by no other. */
    public static void checkKnownRange(FailureRange query, List<Owner> answer, KnownRange known, String kind,
                                       Predicate<Owner> expected) {
        long from = Math.max(known.offset(), query.offset());
        long to = Math.min(known.end(), query.end());
        if (from >= to) {
            return;
        }
        for (Owner owner : answer) {
            if (owner.physicalOffset() < to && from < owner.physicalEnd() && !expected.test(owner)) {
                fail(query, answer, owner + " is given bytes of " + known + ", which is " + kind);
            }
        }
        long missing = uncovered(from, to, answer.stream().filter(expected).toList());
        if (missing >= 0) {
            fail(query, answer, "byte " + missing + " of " + known + " is " + kind + " but not answered as such");
        }
    }

    /** Every metadata owner says what it is and what to do: non-blank kind, description and repair hint. */
    public static void checkRepairHints(FailureRange query, List<Owner> answer) {
        for (Owner owner : answer) {
            if (owner instanceof MetadataOwner metadata && (metadata.kind().isBlank()
                    || metadata.description().isBlank() || metadata.repairHint().isBlank())) {
                fail(query, answer, owner + " lacks a kind, a description or a repair hint: an administrator must"
                        + " be told what was hit and what to run");
            }
        }
    }

    /** The answers as the suite compares them: sharers of one range may come in any order. */
    public static List<Owner> canonical(List<Owner> answer) {
        List<Owner> sorted = new ArrayList<>(answer);
        sorted.sort(Comparator.comparingLong(Owner::physicalOffset).thenComparingLong(Owner::physicalEnd)
                .thenComparing(Object::toString));
        return sorted;
    }

    /** The first byte of {@code [from, to)} that none of {@code owners} covers, or -1. */
    static long uncovered(long from, long to, List<? extends Owner> owners) {
        List<? extends Owner> sorted = owners.stream().sorted(Comparator.comparingLong(Owner::physicalOffset))
                .toList();
        long covered = from;
        for (Owner owner : sorted) {
            if (owner.physicalOffset() > covered) {
                break;
            }
            covered = Math.max(covered, owner.physicalEnd());
            if (covered >= to) {
                return -1;
            }
        }
        return covered >= to ? -1 : covered;
    }

    private static FiemapExtent extentHolding(WrittenFile file, long physical) {
        for (FiemapExtent extent : file.extents()) {
            if (extent.physical() <= physical && physical < extent.physicalEnd()) {
                return extent;
            }
        }
        return null;
    }

    private static boolean isSharedData(Owner owner) {
        return owner instanceof FileOwner file && file.shared();
    }

    static String describe(FiemapExtent extent) {
        return "[" + extent.physical() + ", " + extent.physicalEnd() + ") at file offset " + extent.logical()
                + (extent.isShared() ? ", shared" : "") + (extent.isUnwritten() ? ", unwritten" : "");
    }

    static String describe(FailureRange query) {
        return "[" + query.offset() + ", " + query.end() + ")";
    }

    static String describe(List<Owner> answer) {
        if (answer == null) {
            return "null";
        }
        String shown = answer.stream().limit(SHOWN_OWNERS).map(Object::toString)
                .collect(Collectors.joining("\n    ", "\n    ", ""));
        return answer.size() > SHOWN_OWNERS ? shown + "\n    ... " + (answer.size() - SHOWN_OWNERS) + " more" : shown;
    }

    private static void fail(FailureRange query, List<Owner> answer, String what) {
        throw new AssertionError("notifyFailure" + describe(query) + ": " + what + "; the answer was:"
                + describe(answer));
    }
}
