package io.daxguard.support.index;

import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.FileOwner;
import io.daxguard.spi.LinuxPath;
import io.daxguard.support.linux.Fiemap;
import io.daxguard.support.linux.FiemapExtent;
import io.daxguard.support.linux.FileGeneration;
import io.daxguard.support.linux.FileHandle;
import io.daxguard.support.linux.InodeHandles;
import io.daxguard.support.linux.FileStatus;
import io.daxguard.support.linux.NativeCallException;
import io.daxguard.support.linux.NativeFile;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Checks an index proposal against the live file: the file is reopened by its file handle, made from the indexed
 * inode number and generation ({@link InodeHandles}: no directory read, so a cold question reads the inode and its
 * extent tree only), or, where the filesystem's handles are not ones daxguard can make (or it may not open by handle:
 * no CAP_DAC_READ_SEARCH), by one of its indexed names without following symlinks; its inode number and generation
 * must be the indexed ones, and it must still have a name (a link count above zero); and its live mapping (FIEMAP
 * over the proposed file range, or the {@link ExtraExtentSource} again) must put the same file bytes on the same
 * device bytes. Only the part that matches becomes an owner. A file renamed since the index was built is still the
 * file that owns its blocks, and is confirmed by handle; its names are the caller's to check ({@link VerifiedNames}).
 */
final class LiveConfirmation {
    private static final int FIEMAP_BATCH = 32;

    private final ExtraExtentSource extras;
    /** The held filesystem's device; null until known. A file on another device is never confirmed. */
    private final Supplier<DeviceNumber> heldDevice;
    private volatile boolean closed;
    /** How this filesystem's inodes are opened by handle, empty when they are not; null until first looked at. */
    private volatile Optional<InodeHandles> handles;

    LiveConfirmation(ExtraExtentSource extras, Supplier<DeviceNumber> heldDevice) {
        this.extras = extras;
        this.heldDevice = heldDevice;
    }

    /**
     * Opens the root directory for one confirmation. It is not kept open between confirmations: a descriptor
     * held on the mount point would make the administrator's {@code umount} fail with EBUSY.
     */
    private NativeFile openRoot(ExtentIndex index) throws IOException {
        if (closed) {
            throw new IOException("reverse map of " + index.root() + " is closed");
        }
        return NativeFile.openDirectory(index.root());
    }

    /** Refuses confirmations from now on; called once every query has returned. */
    void close() {
        closed = true;
    }

    /**
     * The confirmed owners of {@code candidate} inside {@code [from, to)}; empty when nothing is confirmed.
     * {@code wholeAsIndexed} runs when the live file maps the whole candidate extent exactly as the index says, as
     * plain written and unshared blocks, so the caller may remember that until the filesystem changes.
     */
    List<FileOwner> confirm(ExtentIndex index, IndexedExtent candidate, long from, long to, Runnable wholeAsIndexed)
            throws IOException {
        long start = Math.max(from, candidate.physical());
        long end = Math.min(to, candidate.physicalEnd());
        List<FileOwner> owners = new ArrayList<>();
        if (start >= end) {
            return owners;
        }
        try (NativeFile file = open(index, candidate.inode(), candidate.generation())) {
            if (file == null) {
                return owners;
            }
            if (candidate.isExtra()) {
                confirmExtra(candidate, file, start, end, owners);
            } else if (candidate.isInline() || candidate.fork() != io.daxguard.spi.Fork.DATA) {
                confirmByPhysical(candidate, file, start, end, owners);
            } else {
                confirmData(candidate, file, start, end, owners, wholeAsIndexed);
            }
        } catch (NativeCallException e) {
            // The file changed under us (truncated, removed): whatever was not confirmed stays unconfirmed.
        }
        return owners;
    }

    /**
     * Opens the inode (by handle, or at one of its indexed links) and checks it is still the indexed file, with a
     * name; null if it is not.
     */
    NativeFile open(ExtentIndex index, long inode, long generation) throws IOException {
        try (NativeFile root = openRoot(index)) {
            Optional<InodeHandles> kind = handleKind(root);
            if (kind.isPresent() && kind.get().fits(inode, generation)) {
                return openByHandle(root, kind.get(), inode, generation);
            }
        }
        for (List<LinuxPath> components : index.linkComponentsOf(inode)) {
            NativeFile file = openNoFollow(index, components);
            if (file == null) {
                continue;
            }
            try {
                FileStatus status = file.status();
                DeviceNumber held = heldDevice.get();
                // The root may be another filesystem's directory now (the held one unmounted from it): the same
                // inode and generation there are another file.
                if (status.inode() == inode && (held == null || held.equals(status.device()))
                        && FileGeneration.of(file) == generation) {
                    return file;
                }
            } catch (NativeCallException e) {
                // fall through to the next link
            }
            file.close();
        }
        return null;
    }

    /**
     * Whether this filesystem's inodes can be opened by a handle daxguard makes, looked at once: the root's own handle
     * must be of a kind {@link InodeHandles} knows, decode to the root's inode and generation, and open (which needs
     * CAP_DAC_READ_SEARCH).
     */
    private Optional<InodeHandles> handleKind(NativeFile root) {
        Optional<InodeHandles> known = handles;
        if (known != null) {
            return known;
        }
        Optional<InodeHandles> kind;
        try {
            FileHandle rootHandle = FileHandle.of(root);
            kind = rootHandle.inodeHandles();
            if (kind.isPresent() && kind.get().decodes(rootHandle, root.status().inode(), FileGeneration.of(root))) {
                rootHandle.open(root).close();
            } else {
                kind = Optional.empty();
            }
        } catch (IOException | RuntimeException e) {
            kind = Optional.empty();
        }
        handles = kind;
        return kind;
    }

    /**
     * The inode opened by its handle if it is still the indexed file (the kernel answers ESTALE for a deleted or
     * reused inode; the generation is checked again here, since a handle with generation 0 is not checked by every
     * filesystem) and still has a name, as a file found by its names would; null otherwise.
     */
    private NativeFile openByHandle(NativeFile root, InodeHandles kind, long inode, long generation)
            throws IOException {
        NativeFile file;
        try {
            file = kind.of(inode, generation).open(root);
        } catch (NativeCallException gone) {
            return null; // ESTALE: deleted or replaced; ELOOP: a symbolic link, which the names never opened either
        }
        try {
            FileStatus status = file.status();
            DeviceNumber held = heldDevice.get();
            // A handle opens in whatever filesystem the root is now on: the held one unmounted from the root, the
            // same inode and generation there are another filesystem's file.
            if (status.inode() == inode && (held == null || held.equals(status.device())) && status.links() > 0
                    && (status.isRegularFile() || status.isDirectory()) && FileGeneration.of(file) == generation) {
                return file;
            }
        } catch (NativeCallException e) {
            // not confirmed
        }
        file.close();
        return null;
    }

    /**
     * The file at {@code components} beneath the root, resolved by the kernel in one call: no symbolic link followed
     * anywhere on the way, no other mount entered ({@link NativeFile#openBeneath}: {@code openat2} with
     * {@code RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV}, or a component-by-component {@code openat(O_NOFOLLOW)} walk where
     * the kernel has none); null when it cannot be opened so.
     */
    private NativeFile openNoFollow(ExtentIndex index, List<LinuxPath> components) throws IOException {
        NativeFile root = openRoot(index);
        if (components.isEmpty()) {
            return root;
        }
        try (root) {
            LinuxPath relative = components.get(0);
            for (int i = 1; i < components.size(); i++) {
                relative = relative.join(components.get(i));
            }
            return root.openBeneath(relative, NativeFile.Access.READ, false);
        } catch (NativeCallException e) {
            return null;
        }
    }

    /**
     * FIEMAP over the whole candidate (one call either way), so that a later question about another block of the
     * same extent can be answered from what this one confirmed.
     */
    private void confirmData(IndexedExtent candidate, NativeFile file, long start, long end, List<FileOwner> owners,
                             Runnable wholeAsIndexed) throws IOException {
        long delta = candidate.physical() - candidate.logical();
        long logicalStart = start - delta;
        long logicalEnd = end - delta;
        boolean plain = (candidate.flags() & (ExtentFlags.SHARED | ExtentFlags.UNWRITTEN)) == 0;
        long[] asIndexedUpTo = {candidate.logical()};
        Fiemap.map(file, candidate.logical(), candidate.length(), 0, FIEMAP_BATCH, live -> {
            if (live.hasNoPhysicalAddress() || live.physical() - live.logical() != delta) {
                return true;
            }
            // Only plain written, unshared blocks are remembered: a shared block is copied away and an unwritten one
            // converted at writeback, after the write's fanotify event, so neither answer may outlive a question.
            if (plain && live.logical() <= asIndexedUpTo[0] && !live.isShared() && !live.isUnwritten()) {
                asIndexedUpTo[0] = Math.max(asIndexedUpTo[0], live.logicalEnd());
            }
            long overlapStart = Math.max(logicalStart, live.logical());
            long overlapEnd = Math.min(logicalEnd, live.logicalEnd());
            if (overlapStart < overlapEnd) {
                owners.add(owner(candidate, live, overlapStart, overlapStart + delta, overlapEnd - overlapStart));
            }
            return true;
        });
        if (asIndexedUpTo[0] >= candidate.logical() + candidate.length()) {
            wholeAsIndexed.run();
        }
    }

    /** The owner of {@code [from, to)} inside {@code candidate}, as the index says (already confirmed live). */
    static FileOwner asIndexed(IndexedExtent candidate, long from, long to) {
        long start = Math.max(from, candidate.physical());
        long end = Math.min(to, candidate.physicalEnd());
        return new FileOwner(candidate.inode(), candidate.generation(), candidate.fork(),
                candidate.logical() + (start - candidate.physical()), start, end - start,
                ExtentFlags.has(candidate.flags(), ExtentFlags.SHARED),
                ExtentFlags.has(candidate.flags(), ExtentFlags.UNWRITTEN));
    }

    /** Attribute blocks and inline data: the device bytes must still be the file's; file offsets come along. */
    private void confirmByPhysical(IndexedExtent candidate, NativeFile file, long start, long end,
                                   List<FileOwner> owners) throws IOException {
        int fiemapFlags = candidate.fork() == io.daxguard.spi.Fork.ATTRIBUTES ? Fiemap.FLAG_XATTR : 0;
        Fiemap.map(file, 0, Long.MAX_VALUE, fiemapFlags, FIEMAP_BATCH, live -> {
            if (live.isInline() != candidate.isInline() || (live.hasNoPhysicalAddress() && !live.isInline())) {
                return true;
            }
            long overlapStart = Math.max(start, live.physical());
            long overlapEnd = Math.min(end, live.physicalEnd());
            if (overlapStart < overlapEnd) {
                long fileOffset = live.logical() + (overlapStart - live.physical());
                owners.add(owner(candidate, live, fileOffset, overlapStart, overlapEnd - overlapStart));
            }
            return true;
        });
    }

    private void confirmExtra(IndexedExtent candidate, NativeFile file, long start, long end, List<FileOwner> owners)
            throws IOException {
        int wanted = candidate.flags() & (ExtentFlags.EXTENT_MAP | ExtentFlags.ATTRIBUTES);
        extras.visit(candidate.inode(), file, (physical, length, flags) -> {
            long overlapStart = Math.max(start, physical);
            long overlapEnd = Math.min(end, physical + length);
            if ((flags & (ExtentFlags.EXTENT_MAP | ExtentFlags.ATTRIBUTES)) == wanted && overlapStart < overlapEnd) {
                owners.add(new FileOwner(candidate.inode(), candidate.generation(), candidate.fork(), 0,
                        overlapStart, overlapEnd - overlapStart, ExtentFlags.has(flags, ExtentFlags.SHARED), false));
            }
        });
    }

    private static FileOwner owner(IndexedExtent candidate, FiemapExtent live, long fileOffset, long physical,
                                   long length) {
        return new FileOwner(candidate.inode(), candidate.generation(), candidate.fork(), fileOffset, physical, length,
                live.isShared(), live.isUnwritten());
    }
}
