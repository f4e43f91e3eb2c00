package io.daxguard.testkit.conformance;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.daxguard.spi.FailureRange;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.Fork;
import io.daxguard.spi.Owner;
import io.daxguard.support.linux.FiemapExtent;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Adversarial review (issue 16, adv16): wrong answers of a deliberately wrong plugin that the conformance checks let
 * through. The promise (README, docs/PLUGINS.md step 4 and 8): the suite "checks every SPI contract", "each check can
 * fail"; "a block several files share has one FileOwner per sharer". Each test FAILS on main at 21dd1af: the wrong answer passes {@link AnswerChecks}, which the suite's
 * tests run. No root needed: the checks are fed the ground truth the suite would have read (FIEMAP of a reflinked
 * pair) directly.
 */
class AdversarialAnswerChecksTest {
    private static final long BLOCK = 4096;
    private static final long AT = 1 << 20;
    private static final int SHARED_LAST = FiemapExtent.SHARED | FiemapExtent.LAST;
    private static final WrittenFile PLAIN = new WrittenFile("plain", Path.of("/mnt/conformance/plain"), 131, 7,
            FileOwner.ONE_INODE_SPACE, List.of(new FiemapExtent(0, AT, BLOCK, SHARED_LAST)));
    private static final WrittenFile CLONE = new WrittenFile("clone", Path.of("/mnt/conformance/clone"), 132, 9,
            FileOwner.ONE_INODE_SPACE, List.of(new FiemapExtent(0, AT, BLOCK, SHARED_LAST)));
    private static final FilesystemFacts NO_FACTS = new FilesystemFacts(
            List.of(new KnownRange(65536, BLOCK, "superblock")), List.of(new KnownRange(AT * 4, BLOCK * 16, "free")));
    private static final FailureRange QUERY = FailureRange.of(AT, BLOCK);

    private static FileOwner sharer(WrittenFile file) {
        return new FileOwner(file.inode(), file.generation(), Fork.DATA, 0, AT, BLOCK, true, false);
    }

    /** The same sharer twice: the agent counts two damaged owners of one file (and records it twice). */
    @Test
    void aSharerNamedTwiceIsCaught() {
        List<Owner> answer = List.of(sharer(PLAIN), sharer(PLAIN), sharer(CLONE));

        assertThatThrownBy(() -> AnswerChecks.checkAnswer(QUERY, answer, List.of(PLAIN, CLONE), NO_FACTS))
                .as("one FileOwner per sharer: %s names inode 131 twice", answer)
                .isInstanceOf(AssertionError.class);
    }

    /**
     * A sharer that does not exist (an inode the filesystem never had, marked shared): overlaps are allowed between
     * shared FileOwners, and only the suite's own files are checked, so an invented owner of a shared block passes
     * (the agent would then quarantine or report a file that is not there, or another one that reuses the number).
     */
    @Test
    void anInventedSharerOfAReflinkedBlockIsCaught() {
        FileOwner invented = new FileOwner(999_999, 1, Fork.DATA, 0, AT, BLOCK, true, false);
        List<Owner> answer = List.of(sharer(PLAIN), sharer(CLONE), invented);

        assertThatThrownBy(() -> AnswerChecks.checkAnswer(QUERY, answer, List.of(PLAIN, CLONE), NO_FACTS))
                .as("%s names a sharer that FIEMAP places in no file", invented)
                .isInstanceOf(AssertionError.class);
    }

    /**
     * The same bytes answered as the file's data AND as its attribute fork: an owner in another fork over a data
     * block passes when it says shared.
     */
    @Test
    void anAttributeForkOwnerOverAFilesDataIsCaught() {
        FileOwner attributeFork = new FileOwner(PLAIN.inode(), PLAIN.generation(), Fork.ATTRIBUTES, 0, AT, BLOCK, true,
                false);
        List<Owner> answer = List.of(sharer(PLAIN), sharer(CLONE), attributeFork);

        assertThatThrownBy(() -> AnswerChecks.checkAnswer(QUERY, answer, List.of(PLAIN, CLONE), NO_FACTS))
                .as("FIEMAP places these bytes in the data of both files; %s claims them for an attribute fork",
                        attributeFork)
                .isInstanceOf(AssertionError.class);
    }
}
