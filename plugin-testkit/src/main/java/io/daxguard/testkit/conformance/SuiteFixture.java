package io.daxguard.testkit.conformance;

import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.FilesystemPlugin;
import io.daxguard.spi.Holder;
import io.daxguard.spi.PluginContext;
import io.daxguard.support.MemberHolder;
import io.daxguard.support.linux.NativeFile;
import io.daxguard.testkit.FixedPluginContext;
import io.daxguard.testkit.Privileges;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestInstance;

/**
 * What {@link PluginConformanceSuite}'s checks run on: the filesystem the subclass makes, the files the suite writes
 * on it, the plugin's holder, and the extension points a plugin's test implements (see the suite for how).
 */
@Tag("mount")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class SuiteFixture {
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
            views.add(new MemberView(member, MemberHolder.of(holder, member), placedOn(member, files),
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

}
