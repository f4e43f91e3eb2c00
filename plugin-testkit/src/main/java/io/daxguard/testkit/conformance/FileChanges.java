package io.daxguard.testkit.conformance;

import io.daxguard.spi.FailureRange;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.Owner;
import io.daxguard.spi.UnknownOwner;
import io.daxguard.support.linux.FiemapExtent;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;

/**
 * Files that change after a query: a file deleted and another made in its place (the same name, often the same
 * inode number, often the same blocks) is not reported under the old identity; the new one is reported under its
 * own inode and generation.
 */
final class FileChanges {
    static final String NAME = "conformance/replaced.bin";

    private FileChanges() {
    }

    static void checkReplacedFile(PluginConformanceSuite suite) throws Exception {
        ConformanceFilesystem fs = suite.filesystem();
        WrittenFile before = suite.fileToReplace();
        for (MemberView view : suite.views()) {
            WrittenFile placed = suite.placedOn(view.device(), List.of(before)).get(0);
            FilesystemFacts facts = suite.factsNow(view.device());
            for (FailureRange query : SuiteQueries.ofFiles(List.of(placed))) {
                AnswerChecks.checkAnswer(query, view.holder().notifyFailure(query), List.of(placed), facts);
            }
        }

        Files.delete(fs.path(NAME));
        WrittenFile.writeRandom(fs.path(NAME), 4);
        WrittenFile after = suite.observe(NAME);
        if (after.inode() == before.inode() && after.generation() == before.generation()) {
            throw new AssertionError("the filesystem gave the new " + NAME + " the inode and generation of the old"
                    + " one (" + after.inode() + ", " + after.generation() + "): the suite cannot tell them apart");
        }
        for (MemberView view : suite.views()) {
            WrittenFile placedBefore = suite.placedOn(view.device(), List.of(before)).get(0);
            for (FiemapExtent extent : placedBefore.extents()) {
                FailureRange query = FailureRange.of(extent.physical(), extent.length());
                List<Owner> answer = view.holder().notifyFailure(query);
                for (Owner owner : answer) {
                    if (owner instanceof FileOwner file && before.isOwner(file)) {
                        throw new AssertionError("notifyFailure" + AnswerChecks.describe(query) + " names " + file
                                + ": the file " + before + " was deleted since" + (after.inode() == before.inode()
                                ? " and its inode number reused by " + after + " (the generation tells them apart)"
                                : ""));
                    }
                }
                AnswerChecks.checkShape(query, answer);
            }
            checkNamedOrUnknown(view, suite.placedOn(view.device(), List.of(after)).get(0),
                    suite.factsNow(view.device()));
        }
    }

    /**
     * The new file's bytes are its own or, for a holder that indexes and has not seen the new file yet, unknown
     * ({@link UnknownOwner}): never another file's.
     */
    private static void checkNamedOrUnknown(MemberView view, WrittenFile after, FilesystemFacts facts)
            throws IOException {
        for (FailureRange query : SuiteQueries.ofFiles(List.of(after))) {
            List<Owner> answer = view.holder().notifyFailure(query);
            if (answer.stream().anyMatch(owner -> owner instanceof UnknownOwner)) {
                AnswerChecks.checkShape(query, answer);
                for (Owner owner : answer) {
                    if (!(owner instanceof UnknownOwner) && !(owner instanceof FileOwner file && after.isOwner(file))) {
                        throw new AssertionError("notifyFailure" + AnswerChecks.describe(query) + " gives bytes of "
                                + after + " (made since the holder attached) to " + owner);
                    }
                }
            } else {
                AnswerChecks.checkAnswer(query, answer, List.of(after), facts);
            }
        }
    }
}
