package io.daxguard.testkit.conformance.toy;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Each check of the conformance suite fails, saying why, on a toy plugin that breaks its contract: the suite's
 * checks run one at a time against the flawed toy on one scratch XFS (reflink), the toy attached again per flaw.
 */
@Tag("mount")
class FlawsAreCaughtTest {
    private static final ToySuite SUITE = new ToySuite("xfs");

    @BeforeAll
    static void prepare() throws Exception {
        SUITE.prepare();
    }

    @AfterAll
    static void finish() throws Exception {
        SUITE.finish();
    }

    private static void assertCaught(Flaw flaw, ThrowingCallable check, String saying) throws Exception {
        SUITE.flaws(Set.of(flaw));
        SUITE.reattach();
        try {
            assertThatThrownBy(check).isInstanceOf(AssertionError.class).hasMessageContaining(saying);
        } finally {
            SUITE.flaws(Set.of());
            SUITE.reattach();
        }
    }

    @Test
    void aDroppedSharerIsCaught() throws Exception {
        assertCaught(Flaw.DROPS_SHARERS, SUITE::everySharerOfAReflinkedBlockIsAnOwnerMarkedShared,
                "every sharer is an owner");
    }

    @Test
    void anUntrimmedOwnerIsCaught() throws Exception {
        assertCaught(Flaw.DOES_NOT_TRIM, SUITE::everyByteOfAFileIsOwnedByItTrimmedToTheQuery,
                "must be trimmed to the queried range");
    }

    @Test
    void aRangeAnsweredWithItsFirstOwnerAloneIsCaught() throws Exception {
        assertCaught(Flaw.ONLY_FIRST_OWNER, SUITE::aRangeAcrossSeveralOwnersNamesTheOwnersOfEachByte,
                "is not reported as owned by it");
    }

    @Test
    void freeSpaceAnsweredAsUnknownIsCaught() throws Exception {
        assertCaught(Flaw.FREE_AS_UNKNOWN, SUITE::freeSpaceIsAnsweredAsFree, "which is free space");
    }

    @Test
    void bytesWithNoOwnerAreCaught() throws Exception {
        assertCaught(Flaw.LEAVES_FREE_SPACE_OUT, SUITE::freeSpaceIsAnsweredAsFree, "every byte must be covered");
    }

    @Test
    void aWrongGenerationIsCaught() throws Exception {
        assertCaught(Flaw.LOSES_GENERATIONS, SUITE::everyByteOfAFileIsOwnedByItTrimmedToTheQuery,
                "the generation tells a reused inode number apart");
    }

    @Test
    void aWrongSubvolumeIsCaught() throws Exception {
        assertCaught(Flaw.WRONG_SUBVOLUME, SUITE::everyByteOfAFileIsOwnedByItTrimmedToTheQuery,
                "is not reported as owned by it");
    }

    @Test
    void metadataWithoutARepairHintIsCaught() throws Exception {
        assertCaught(Flaw.BLANK_REPAIR_HINT, SUITE::metadataIsNamedWithWhatToDoAboutIt, "lacks a kind, a description"
                + " or a repair hint");
    }

    @Test
    void aLeakedDescriptorIsCaught() throws Exception {
        assertCaught(Flaw.LEAKS_DESCRIPTOR, SUITE::noDescriptorStaysOnTheMountAfterCallsSoUmountSucceeds,
                "keeps descriptors open on");
    }

    @Test
    void theMountHeldDuringACallIsCaught() throws Exception {
        assertCaught(Flaw.HOLDS_MOUNT_DURING_SCRUB, SUITE::umountSucceedsWhileACallIsInProgress,
                "failed while forEachWrittenExtent was handing an extent to its consumer");
    }

    @Test
    void aBatchAnsweredDifferentlyIsCaught() throws Exception {
        assertCaught(Flaw.BATCH_ROUNDS_TO_BLOCKS, SUITE::aBatchIsAnsweredAsEachRangeAlone,
                "differently from notifyFailure");
    }

    @Test
    void scrubbingFreeSpaceIsCaught() throws Exception {
        assertCaught(Flaw.SCRUBS_FREE_SPACE, SUITE::scrubExtentsAreExactlyTheWrittenData, "which is free space");
    }

    @Test
    void aSharedBlockScrubbedTwiceIsCaught() throws Exception {
        assertCaught(Flaw.SCRUBS_SHARED_BLOCKS_TWICE, SUITE::scrubExtentsAreExactlyTheWrittenData,
                "each byte (a shared one too) once");
    }

    @Test
    void aHolderNamingNoMemberDeviceIsCaught() throws Exception {
        assertCaught(Flaw.NAMES_NO_MEMBERS, SUITE::aMemberDeviceIsAnsweredAsTheFilesystem,
                "it must include the mounted device");
    }

    @Test
    void sharedStateBetweenCallsIsCaught() throws Exception {
        assertCaught(Flaw.NOT_THREAD_SAFE, SUITE::concurrentCallsGiveTheAnswersOfOneThread, "not thread-safe");
    }

    @Test
    void aReplacedFileUnderItsOldIdentityIsCaught() throws Exception {
        assertCaught(Flaw.REMEMBERS_FILES, SUITE::aDeletedOrReplacedFileIsNotReportedUnderItsOldIdentity,
                "was deleted since");
    }

    @Test
    void aRefusalThatDoesNotSayWhatToDoIsCaught() throws Exception {
        assertCaught(Flaw.REFUSES_WITHOUT_REMEDY, SUITE::attachRefusesWhatItCannotHoldSayingWhatToDo,
                "does not say what to do");
    }
}
