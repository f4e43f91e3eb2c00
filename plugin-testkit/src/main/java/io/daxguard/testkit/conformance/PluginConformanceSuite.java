package io.daxguard.testkit.conformance;

import io.daxguard.spi.AttachRefusedException;
import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.FailureRange;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.FilesystemPlugin;
import io.daxguard.spi.Holder;
import io.daxguard.spi.MetadataOwner;
import io.daxguard.spi.Owner;
import io.daxguard.spi.PluginContext;
import io.daxguard.support.linux.NativeFile;
import io.daxguard.testkit.FixedPluginContext;
import io.daxguard.testkit.Privileges;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
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
public abstract class PluginConformanceSuite {
    private ConformanceFilesystem filesystem;
    private Holder holder;
    private DeviceNumber mountedDevice;
    private final List<WrittenFile> files = new ArrayList<>();

    /** The plugin under test; asked at every attach. */
    protected abstract FilesystemPlugin plugin();

    /** Makes and mounts a fresh filesystem of the plugin's type; the suite closes it after all checks. */
    protected abstract ConformanceFilesystem createFilesystem() throws IOException;

    /** The filesystem's metadata and free ranges now, from its own tools; asked after a {@code syncfs}. */
    protected abstract FilesystemFacts facts(ConformanceFilesystem fs) throws IOException;

    /** A mount the plugin must refuse, and the words of the fix its reason must contain. */
    protected abstract Refusal refusal(ConformanceFilesystem fs) throws IOException;

    /** Whether the filesystem shares blocks between files ({@code cp --reflink=always} works). */
    protected boolean supportsReflink() {
        return false;
    }

    /**
     * The inode-number space of a file the suite wrote, as {@link FileOwner#subvolume()} must name it, read with the
     * filesystem's own tools (btrfs: {@code btrfs inspect-internal rootid}); by default
     * {@link FileOwner#ONE_INODE_SPACE}, right for XFS and ext4.
     */
    protected long subvolumeOf(java.nio.file.Path file) throws IOException {
        return FileOwner.ONE_INODE_SPACE;
    }

    /** The context given at attach: no settings, no state directory. */
    protected PluginContext context() {
        return FixedPluginContext.withSettings("daxguard.conformance", Map.of());
    }

    /** Makes the filesystem, writes the suite's files, attaches the plugin and waits for its reverse map. */
    @BeforeAll
    public final void prepare() throws Exception {
        Privileges.requireRootLoopAnd("mount", "umount", "fallocate", "cp", "sync");
        filesystem = createFilesystem();
        try {
            mountedDevice = filesystem.mount().device();
            Files.createDirectory(filesystem.path("conformance"));
            WrittenFile.writeRandom(filesystem.path("conformance/plain.bin"), 16);
            WrittenFile.writeRandom(filesystem.path("conformance/second.bin"), 8);
            WrittenFile.writeEveryOtherPage(filesystem.path("conformance/sparse.bin"), 6);
            WrittenFile.preallocate(filesystem.path("conformance/preallocated.bin"), 8);
            List<String> names = new ArrayList<>(List.of("conformance/plain.bin", "conformance/second.bin",
                    "conformance/sparse.bin", "conformance/preallocated.bin"));
            if (supportsReflink()) {
                WrittenFile.reflink(filesystem.path("conformance/plain.bin"), filesystem.path("conformance/clone.bin"));
                names.add("conformance/clone.bin");
            }
            WrittenFile.writeRandom(filesystem.path(FileChanges.NAME), 4);
            syncFilesystem();
            for (String name : names) {
                files.add(observe(name));
            }
            attach();
        } catch (Exception | AssertionError e) {
            finish();
            throw e;
        }
    }

    /** Closes the holder, then the filesystem. */
    @AfterAll
    public final void finish() throws Exception {
        try {
            if (holder != null) {
                holder.close();
                holder = null;
            }
        } finally {
            if (filesystem != null) {
                filesystem.close();
                filesystem = null;
            }
        }
    }

    /** Closes the holder and attaches {@link #plugin()} again (after a remount, or to a changed plugin). */
    public final void reattach() throws Exception {
        if (holder != null) {
            holder.close();
            holder = null;
        }
        attach();
    }

    private void attach() throws Exception {
        holder = plugin().attach(filesystem.mount(), context());
        awaitReverseMap();
    }

    private void awaitReverseMap() throws InterruptedException {
        if (!holder.awaitReverseMap(HeldCall.GUARD)) {
            throw new AssertionError("awaitReverseMap: the holder of " + filesystem + " cannot name owners after "
                    + HeldCall.GUARD + " (" + holder.reverseMapStatus().map(Object::toString).orElse("no status")
                    + ")");
        }
    }

    /** The file {@link FileChanges} replaces, as it was when the holder attached. */
    final WrittenFile fileToReplace() throws IOException {
        return observe(FileChanges.NAME);
    }

    /** A file the suite wrote, as the kernel has it now. */
    final WrittenFile observe(String relative) throws IOException {
        return WrittenFile.observe(filesystem, relative, subvolumeOf(filesystem.path(relative)));
    }

    /** The files the suite wrote, as the kernel placed them (FIEMAP's addresses). */
    protected final List<WrittenFile> files() {
        return List.copyOf(files);
    }

    protected final Holder holder() {
        return holder;
    }

    protected final ConformanceFilesystem filesystem() {
        return filesystem;
    }

    /**
     * Where a run of FIEMAP physical addresses lies on the member devices, one placement per copy, split where the
     * filesystem's map splits it. By default on the mount's device at the same offset, as on XFS and ext4; a
     * filesystem with an address space of its own (btrfs) maps it with its own tools.
     */
    protected List<Placement> placementsOf(long fiemapPhysical, long length) throws IOException {
        return List.of(new Placement(mountedDevice, fiemapPhysical, fiemapPhysical, length));
    }

    /**
     * The metadata and free ranges of one member device now, in its offsets; by default {@link #facts(
     * ConformanceFilesystem)}, right for a filesystem on one device.
     */
    protected FilesystemFacts facts(ConformanceFilesystem fs, DeviceNumber member) throws IOException {
        return facts(fs);
    }

    /** {@link #facts} of {@code member} after {@code syncfs}, so on-disk tools see what the kernel allocated. */
    protected final FilesystemFacts factsNow(DeviceNumber member) throws IOException {
        syncFilesystem();
        return facts(filesystem, member);
    }

    /**
     * Each member device with the suite's files placed on it: the real holder for a filesystem on one device, the
     * member calls for each device of one over several (a holder naming no member is checked on the mount's).
     */
    final List<MemberView> views() throws IOException {
        List<DeviceNumber> members = holder.memberDevices();
        if (members == null || members.isEmpty() || members.equals(List.of(mountedDevice))) {
            return List.of(new MemberView(mountedDevice, holder, placedOn(mountedDevice, files),
                    filesystem.deviceSize()));
        }
        List<MemberView> views = new ArrayList<>();
        for (DeviceNumber member : members) {
            views.add(new MemberView(member, MemberView.memberCalls(holder, member), placedOn(member, files),
                    ConformanceFilesystem.deviceSize(member)));
        }
        return views;
    }

    /** The files with their extents as they lie on {@code member}. */
    final List<WrittenFile> placedOn(DeviceNumber member, List<WrittenFile> written) throws IOException {
        List<WrittenFile> placed = new ArrayList<>();
        for (WrittenFile file : written) {
            placed.add(file.placedOn(member, this::placementsOf));
        }
        return placed;
    }

    private void syncFilesystem() throws IOException {
        try (NativeFile root = NativeFile.openDirectory(filesystem.mountPoint())) {
            root.syncFilesystem();
        }
    }

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
                    if (owner instanceof MetadataOwner metadata && holder.repairHint(metadata).isBlank()) {
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

    /** Each file sharing a reflinked block is an owner of it with {@code shared} true (skipped without reflink). */
    @Test
    public void everySharerOfAReflinkedBlockIsAnOwnerMarkedShared() throws IOException {
        Assumptions.assumeTrue(supportsReflink(), "the subclass says the filesystem has no reflink");
        WrittenFile plain = files.get(0);
        WrittenFile clone = files.get(files.size() - 1);
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
        ConformanceChecks.checkMemberDevices(holder, SuiteQueries.all(mounted.files(), factsNow(mounted.device())));
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
            ConformanceChecks.checkUnmountsAfterCalls(filesystem);
        } finally {
            filesystem.mountAgain();
            reattach();
        }
    }

    /** {@code umount} succeeds while a scrub call is held inside its consumer on another thread. */
    @Test
    public void umountSucceedsWhileACallIsInProgress() throws Throwable {
        attachAfresh();
        MemberView mounted = views().get(0);
        try {
            ConformanceChecks.checkUnmountsDuringACall(filesystem, mounted.holder(), mounted.size());
        } finally {
            filesystem.mountAgain();
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
        Refusal refusal = refusal(filesystem);
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
