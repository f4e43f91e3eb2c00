package io.daxguard.testkit.conformance;

import io.daxguard.spi.AttachRefusedException;
import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.FailureRange;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.FilesystemPlugin;
import io.daxguard.spi.Holder;
import io.daxguard.spi.MetadataOwner;
import io.daxguard.spi.Owner;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The conformance suite of a filesystem plugin: every contract of {@link Holder} and {@link FilesystemPlugin},
 * checked on a real filesystem against what the kernel and the filesystem's own tools say (FIEMAP, statx,
 * FS_IOC_GETVERSION of the files the suite writes; metadata and free ranges from the subclass), never against the
 * plugin itself.
 *
 * <h2>How to use it</h2>
 * Extend it in your plugin's tests and say how to make your filesystem and what its own tools know:
 * <pre>{@code
 * @Tag("mount")
 * class MyFsConformanceTest extends PluginConformanceSuite {
 *     protected FilesystemPlugin plugin() { return new MyFsPlugin(); }
 *     protected ConformanceFilesystem createFilesystem() throws IOException {
 *         return ConformanceFilesystem.of(ScratchFilesystem.of("myfs").create());   // or a FaultyDisk
 *     }
 *     protected FilesystemFacts facts(ConformanceFilesystem fs) throws IOException {
 *         // metadata and free ranges from the filesystem's own tools, never from your plugin; with GETFSMAP:
 *         return XfsIoFsmap.facts(fs);   // else new FilesystemFacts(List.of(new KnownRange(...)), ...)
 *     }
 *     protected Refusal refusal(ConformanceFilesystem fs) throws IOException {
 *         return Refusal.ofBindMount(fs, "sub", "attach a mount of its root");   // a mount you must refuse
 *     }
 *     protected boolean supportsReflink() { return true; }   // false: sharing is not checked
 * }
 * }</pre>
 * The suite makes the filesystem once per class, writes its files under {@code /conformance} (plain, sparse,
 * preallocated, reflinked when supported), attaches the plugin, waits for {@link Holder#awaitReverseMap}, then
 * runs each check as a test; a failure names the contract, the bytes, the ground truth and the holder's answer.
 * Run it on each geometry you support: a {@code @Nested} subclass per logical sector size
 * ({@code FaultyDisk.xfs().logicalSectorSize(4096)}). It unmounts and mounts the filesystem again (the descriptor
 * checks) and attaches again after that. A known deviation is pinned, never skipped: override the check with a
 * test asserting that it fails with its message (say why, and where it is to be fixed), so fixing it shows. Each check is a public method: a plugin's own tests can run one
 * against a deliberately broken holder ({@link #prepare()}, {@link #reattach()}, the check, {@link #finish()}),
 * as the test kit's own tests do with their toy plugin. A filesystem whose FIEMAP addresses are not offsets on the
 * mount's device, or that spans several devices (btrfs), overrides {@link #placementsOf} (where each address lies,
 * per copy), {@link #facts(ConformanceFilesystem, DeviceNumber)} and {@link #subvolumeOf}: the checks then run on
 * each member device through the holder's member calls.
 */
@Tag("mount")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class PluginConformanceSuite extends SuiteFixture {
    /** Every byte of each suite file's extents (whole, and cut inside) is owned by that file: inode, generation,
     * file offset, shared and unwritten as FIEMAP says; each owner trimmed to the query; every byte covered. */
    @Test
    public void everyByteOfAFileIsOwnedByItTrimmedToTheQuery() throws IOException {
        for (MemberView view : views()) {
            FilesystemFacts facts = factsNow(view.device());
            for (FailureRange query : SuiteQueries.ofFiles(view.files())) {
                AnswerChecks.checkAnswer(query, view.holder().notifyFailure(query), view.files(), facts);
            }
        }
    }

    /** A range over several files' blocks, and one from a file into free space, names the owner of each byte. */
    @Test
    public void aRangeAcrossSeveralOwnersNamesTheOwnersOfEachByte() throws IOException {
        for (MemberView view : views()) {
            FilesystemFacts facts = factsNow(view.device());
            for (FailureRange query : SuiteQueries.acrossOwners(view.files(), facts)) {
                List<Owner> answer = view.holder().notifyFailure(query);
                AnswerChecks.checkAnswer(query, answer, view.files(), facts);
                if (answer.size() < 2) {
                    throw new AssertionError("notifyFailure" + AnswerChecks.describe(query) + " spans several owners"
                            + " by FIEMAP and the filesystem's tools, but was answered with one: " + answer);
                }
            }
        }
    }

    /** The facts' metadata ranges are MetadataOwners with a kind, a description and a repair hint. */
    @Test
    public void metadataIsNamedWithWhatToDoAboutIt() throws IOException {
        for (MemberView view : views()) {
            FilesystemFacts facts = factsNow(view.device());
            for (FailureRange query : SuiteQueries.ofMetadata(facts)) {
                List<Owner> answer = view.holder().notifyFailure(query);
                AnswerChecks.checkAnswer(query, answer, view.files(), facts);
                for (Owner owner : answer) {
                    if (owner instanceof MetadataOwner metadata && holder().repairHint(metadata).isBlank()) {
                        throw new AssertionError("repairHint(" + metadata + ") is blank: it must say what to run");
                    }
                }
            }
        }
    }

    /** The facts' free ranges are FreeSpaceOwners, also where a query crosses into them. */
    @Test
    public void freeSpaceIsAnsweredAsFree() throws IOException {
        for (MemberView view : views()) {
            FilesystemFacts facts = factsNow(view.device());
            for (FailureRange query : SuiteQueries.ofFree(facts)) {
                AnswerChecks.checkAnswer(query, view.holder().notifyFailure(query), view.files(), facts);
            }
        }
    }

    /**
     * Each file sharing a reflinked block is an owner of it with {@code shared} true; on a filesystem without reflink,
     * no owner of the suite's files is marked shared.
     */
    @Test
    public void everySharerOfAReflinkedBlockIsAnOwnerMarkedShared() throws IOException {
        if (!supportsReflink()) {
            for (MemberView view : views()) {
                for (WrittenFile file : view.files()) {
                    for (var extent : file.extents()) {
                        FailureRange query = FailureRange.of(extent.physical(), extent.length());
                        for (Owner owner : view.holder().notifyFailure(query)) {
                            if (owner instanceof FileOwner sharer && sharer.shared()) {
                                throw new AssertionError("bytes " + query.offset() + "+" + query.length() + " of "
                                        + file + " answered as shared (" + owner + ") on a filesystem without "
                                        + "reflink (the subclass says so): only blocks several files use are shared");
                            }
                        }
                    }
                }
            }
            return;
        }
        WrittenFile plain = files().get(0);
        WrittenFile clone = files().get(files().size() - 1);
        if (plain.extents().isEmpty() || !plain.extents().get(0).isShared() || !clone.extents().get(0).isShared()) {
            throw new AssertionError("FIEMAP does not flag " + plain + " and its reflinked copy " + clone
                    + " as shared: the filesystem did not share the blocks, so supportsReflink() should be false");
        }
        for (MemberView view : views()) {
            WrittenFile placed = view.files().get(0);
            if (placed.extents().isEmpty()) {
                continue;
            }
            FailureRange query = FailureRange.of(placed.extents().get(0).physical(), placed.extents().get(0).length());
            List<Owner> answer = view.holder().notifyFailure(query);
            AnswerChecks.checkAnswer(query, answer, view.files(), factsNow(view.device()));
            if (answer.stream().noneMatch(o -> o instanceof FileOwner f && clone.isOwner(f) && f.shared())) {
                throw new AssertionError("notifyFailure" + AnswerChecks.describe(query) + " does not name the sharer "
                        + clone + ": " + answer);
            }
        }
    }

    /**
     * Attaches afresh before a check that compares answers given at different times, or looks at descriptors: a
     * holder that indexes has just built its index then, and does not rebuild it in the background while the check
     * runs (rebuilds for unexplained blocks are rate-limited), which would change answers or hold directories open.
     */
    private void attachAfresh() throws Exception {
        reattach();
    }

    /** {@code notifyFailures} answers each range as {@code notifyFailure} does. */
    @Test
    public void aBatchIsAnsweredAsEachRangeAlone() throws Exception {
        attachAfresh();
        for (MemberView view : views()) {
            List<FailureRange> queries = SuiteQueries.all(view.files(), factsNow(view.device()));
            List<List<Owner>> batch = view.holder().notifyFailures(queries);
            if (batch == null || batch.size() != queries.size()) {
                throw new AssertionError("notifyFailures of " + queries.size() + " ranges answered "
                        + (batch == null ? "null" : batch.size() + " lists") + ": one answer per range, in order");
            }
            for (int i = 0; i < queries.size(); i++) {
                List<Owner> single = view.holder().notifyFailure(queries.get(i));
                if (!AnswerChecks.canonical(batch.get(i)).equals(AnswerChecks.canonical(single))) {
                    throw new AssertionError("notifyFailures answered range " + i + " " + AnswerChecks.describe(
                            queries.get(i)) + " differently from notifyFailure: batch"
                            + AnswerChecks.describe(batch.get(i)) + "\n  single" + AnswerChecks.describe(single));
                }
            }
        }
    }

    /** The mount's device is a member; a single-device holder answers through it as without it; a stranger is
     * refused. */
    @Test
    public void aMemberDeviceIsAnsweredAsTheFilesystem() throws Exception {
        attachAfresh();
        MemberView mounted = views().get(0);
        ConformanceChecks.checkMemberDevices(holder(), SuiteQueries.all(mounted.files(), factsNow(mounted.device())));
    }

    /** {@code forEachWrittenExtent} visits every written byte of the suite's files, no free space, no unwritten
     * preallocation, each byte once, in physical order, trimmed to the window. */
    @Test
    public void scrubExtentsAreExactlyTheWrittenData() throws IOException {
        for (MemberView view : views()) {
            FilesystemFacts facts = factsNow(view.device());
            Holder member = view.holder();
            ScrubChecks.checkWrittenExtents(0, view.size(), ScrubChecks.visit(member, 0, view.size()), view.files(),
                    facts);
            for (FailureRange window : SuiteQueries.ofFiles(view.files())) {
                ScrubChecks.checkWrittenExtents(window.offset(), window.end(),
                        ScrubChecks.visit(member, window.offset(), window.end()), view.files(), facts);
            }
            KnownRange free = facts.largestFree();
            List<ScrubChecks.Visited> inFree = ScrubChecks.visit(member, free.offset(), free.end());
            if (!inFree.isEmpty()) {
                throw new AssertionError("forEachWrittenExtent over free space " + free + " visited "
                        + ScrubChecks.describe(inFree));
            }
        }
    }

    /** After calls return, no descriptor is open on the mount and {@code umount} succeeds. */
    @Test
    public void noDescriptorStaysOnTheMountAfterCallsSoUmountSucceeds() throws Exception {
        attachAfresh();
        for (MemberView view : views()) {
            view.holder().notifyFailures(SuiteQueries.all(view.files(), factsNow(view.device())));
            ScrubChecks.visit(view.holder(), 0, view.size());
        }
        try {
            ConformanceChecks.checkUnmountsAfterCalls(filesystem());
        } finally {
            filesystem().mountAgain();
            reattach();
        }
    }

    /** {@code umount} succeeds while a scrub call is held inside its consumer on another thread. */
    @Test
    public void umountSucceedsWhileACallIsInProgress() throws Throwable {
        attachAfresh();
        MemberView mounted = views().get(0);
        try {
            ConformanceChecks.checkUnmountsDuringACall(filesystem(), mounted.holder(), mounted.size());
        } finally {
            filesystem().mountAgain();
            reattach();
        }
    }

    /** Threads asking at once (also during a held scrub call) get what one thread gets. */
    @Test
    public void concurrentCallsGiveTheAnswersOfOneThread() throws Throwable {
        attachAfresh();
        for (MemberView view : views()) {
            ConformanceChecks.checkConcurrentCalls(view.holder(),
                    SuiteQueries.all(view.files(), factsNow(view.device())), view.size());
        }
    }

    /** A file deleted and made again under its name is not reported under the old inode and generation; its
     * blocks are the new file's (or unknown while an index has not seen it). */
    @Test
    public void aDeletedOrReplacedFileIsNotReportedUnderItsOldIdentity() throws Exception {
        FileChanges.checkReplacedFile(this);
    }

    /** Attaching to {@link #refusal}'s mount throws AttachRefusedException whose reason says what to do. */
    @Test
    public void attachRefusesWhatItCannotHoldSayingWhatToDo() throws Exception {
        Refusal refusal = refusal(filesystem());
        try {
            Holder attached;
            try {
                attached = plugin().attach(refusal.mount(), context());
            } catch (AttachRefusedException refused) {
                ConformanceChecks.checkRefusal(refusal, refused);
                return;
            } catch (IOException | RuntimeException other) {
                throw new AssertionError("attach to " + refusal.mount().mountPoint() + " failed with " + other
                        + ": a refusal is an AttachRefusedException whose reason says what to do", other);
            }
            attached.close();
            throw new AssertionError("attach to " + refusal.mount() + " succeeded; the plugin must refuse it,"
                    + " saying " + refusal.whatToDo());
        } finally {
            refusal.cleanup().close();
        }
    }

    /** Lower-case, for the refusal's words. */
    static String lower(String text) {
        return text.toLowerCase(Locale.ROOT);
    }

}
