package io.daxguard.btrfs;

import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.LinuxPath;
import io.daxguard.spi.PathNames;
import io.daxguard.support.linux.FileStatus;
import io.daxguard.support.linux.NativeCallException;
import io.daxguard.support.linux.NativeFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Names of a subvolume's inodes from btrfs itself: the subvolume's place in the filesystem from its
 * {@code ROOT_BACKREF} chain (each subvolume's parent, the directory it is in there, {@code BTRFS_IOC_INO_LOOKUP},
 * and its name), then every name of the inode inside it ({@code BTRFS_IOC_INO_PATHS} on the subvolume's root
 * directory). Each name is checked against the live filesystem: it leads to that inode in that subvolume (the
 * subvolume's own device number), and a regular file has no more links than names.
 *
 * <pre>
 * struct btrfs_root_ref (18 bytes + name)
 *   __le64 dirid      0   the directory of the parent subvolume holding this one
 *   __le64 sequence   8
 *   __le16 name_len  16
 *   name             18
 * </pre>
 */
final class SubvolumePaths implements PathNames {
    static final int ROOT_BACKREF_KEY = 144;
    static final int ROOT_REF_DIRID = 0;
    static final int ROOT_REF_NAME_LEN = 16;
    static final int ROOT_REF_NAME = 18;
    static final long FIRST_FREE_OBJECTID = 256;

    private final BtrfsHolder holder;

    SubvolumePaths(BtrfsHolder holder) {
        this.holder = holder;
    }

    /** The inodes of the subvolume the mount point shows. */
    @Override
    public Optional<Map<Long, List<LinuxPath>>> pathsOf(Collection<Long> inodes) throws IOException {
        try (NativeFile filesystem = holder.openFilesystem()) {
            return pathsOf(filesystem, mountedSubvolume(filesystem), inodes);
        }
    }

    @Override
    public Optional<Map<Long, List<LinuxPath>>> pathsOf(long subvolume, Collection<Long> inodes) throws IOException {
        if (!Trees.isSubvolume(subvolume)) {
            return Optional.empty();
        }
        try (NativeFile filesystem = holder.openFilesystem()) {
            return pathsOf(filesystem, subvolume, inodes);
        }
    }

    /** The subvolume the mount point's directory is in ({@code INO_LOOKUP} with tree 0 answers the caller's). */
    static long mountedSubvolume(NativeFile filesystem) throws NativeCallException {
        return BtrfsIoctls.inoLookupTree(filesystem);
    }

    private Optional<Map<Long, List<LinuxPath>>> pathsOf(NativeFile filesystem, long subvolume,
                                                          Collection<Long> inodes) throws IOException {
        Optional<LinuxPath> place = placeUnderMount(filesystem, subvolume);
        if (place.isEmpty()) {
            return Optional.empty();
        }
        LinuxPath relative = place.get();
        NativeFile directory = relative.equals(LinuxPath.ROOT) ? null : openBeneath(filesystem, relative);
        if (directory == null && !relative.equals(LinuxPath.ROOT)) {
            return Optional.empty();
        }
        try {
            NativeFile subvolumeRoot = directory == null ? filesystem : directory;
            if (!isRootOf(subvolumeRoot, subvolume)) {
                return Optional.empty();
            }
            DeviceNumber device = subvolumeRoot.status().device();
            Map<Long, List<LinuxPath>> names = new LinkedHashMap<>();
            for (long inode : inodes) {
                List<LinuxPath> inside;
                try {
                    inside = BtrfsIoctls.inoPaths(subvolumeRoot, inode);
                } catch (NativeCallException gone) {
                    return Optional.empty();
                }
                Optional<List<LinuxPath>> still = stillNamed(subvolumeRoot, relative, device, inode, inside);
                if (still.isEmpty()) {
                    return Optional.empty();
                }
                names.put(inode, List.copyOf(still.get()));
            }
            return Optional.of(names);
        } finally {
            if (directory != null) {
                directory.closeQuietly();
            }
        }
    }

    /**
     * The names {@code inside} (below {@code subvolumeRoot}, which is at {@code relative} below the mount point) as
     * paths below the mount point, if each still leads to inode {@code inode} on {@code device} and they are all its
     * names; otherwise empty. Each is reached from the subvolume root's descriptor with no symbolic link followed and
     * no other mount entered ({@link FileStatus#ofPathBeneath}): a directory renamed and replaced by a link to its new
     * name between {@code INO_PATHS} and this check leads to the file, but through a name that is none of its links.
     */
    static Optional<List<LinuxPath>> stillNamed(NativeFile subvolumeRoot, LinuxPath relative, DeviceNumber device,
                                                long inode, List<LinuxPath> inside) {
        List<LinuxPath> found = new ArrayList<>(inside.size());
        FileStatus last = null;
        for (LinuxPath name : inside) {
            try {
                last = FileStatus.ofPathBeneath(subvolumeRoot, name);
            } catch (IOException gone) {
                return Optional.empty();
            }
            if (last.inode() != inode || !last.device().equals(device)) {
                return Optional.empty();
            }
            found.add(relative.join(name));
        }
        if (last == null || !last.hasNoMoreLinksThan(found.size())) {
            return Optional.empty();
        }
        return Optional.of(found);
    }

    /**
     * Whether {@code directory} is the root directory of {@code subvolume}. The place computed from the backrefs and
     * the mount record (read at attach) may lead elsewhere now: another subvolume bound or mounted over the mount
     * point or over a directory on the way, or the subvolume renamed and another moved to its name. Inode numbers
     * start at 257 in every subvolume, so another's file with the inode number asked for would be named instead.
     */
    private static boolean isRootOf(NativeFile directory, long subvolume) throws IOException {
        try {
            return directory.status().inode() == FIRST_FREE_OBJECTID
                    && BtrfsIoctls.inoLookupTree(directory) == subvolume;
        } catch (NativeCallException gone) {
            return false;
        }
    }

    private static NativeFile openBeneath(NativeFile filesystem, LinuxPath relative) {
        try {
            return filesystem.openDirectoryBeneath(LinuxPath.of(stripLeadingSlash(relative.bytes())), false);
        } catch (NativeCallException gone) {
            return null;
        }
    }

    private static byte[] stripLeadingSlash(byte[] bytes) {
        int skip = 0;
        while (skip < bytes.length && bytes[skip] == '/') {
            skip++;
        }
        return java.util.Arrays.copyOfRange(bytes, skip, bytes.length);
    }

    /**
     * Where the subvolume's root directory is, relative to the mount point ({@code /} when it is the mounted one);
     * empty when it is not under the directory the mount shows, or no longer anywhere.
     */
    private Optional<LinuxPath> placeUnderMount(NativeFile filesystem, long subvolume) throws IOException {
        Optional<byte[]> fromTop = placeFromTop(filesystem, subvolume, 0);
        if (fromTop.isEmpty()) {
            return Optional.empty();
        }
        LinuxPath absolute = LinuxPath.ROOT.join(LinuxPath.of(fromTop.get()));
        LinuxPath mountRoot = LinuxPath.fromDisplay(holder.mount().root());
        if (!absolute.startsWith(mountRoot)) {
            return Optional.empty();
        }
        List<LinuxPath> components = absolute.components();
        LinuxPath relative = LinuxPath.ROOT;
        for (LinuxPath component : components.subList(mountRoot.components().size(), components.size())) {
            relative = relative.join(component);
        }
        return Optional.of(relative);
    }

    /** The subvolume's path from the top-level subvolume, without a leading slash; empty when it has none. */
    private static Optional<byte[]> placeFromTop(NativeFile filesystem, long subvolume, int depth) throws IOException {
        if (subvolume == Trees.FS_TREE) {
            return Optional.of(new byte[0]);
        }
        if (depth > 4096) {
            throw new IOException("the subvolume backreferences of btrfs loop at subvolume " + subvolume);
        }
        List<TreeSearch.Item> references = TreeSearch.items(filesystem, Trees.ROOT_TREE,
                new TreeSearch.Key(subvolume, ROOT_BACKREF_KEY, 0), new TreeSearch.Key(subvolume, ROOT_BACKREF_KEY, -1L));
        if (references.isEmpty()) {
            return Optional.empty(); // deleted, or not linked anywhere
        }
        TreeSearch.Item reference = references.get(0);
        long parent = reference.key().offset();
        Optional<byte[]> parentPlace = placeFromTop(filesystem, parent, depth + 1);
        if (parentPlace.isEmpty()) {
            return Optional.empty();
        }
        long directory = reference.u64(ROOT_REF_DIRID);
        int nameLength = reference.u16(ROOT_REF_NAME_LEN);
        ByteArrayOutputStream path = new ByteArrayOutputStream();
        path.writeBytes(parentPlace.get());
        if (parentPlace.get().length > 0) {
            path.write('/');
        }
        path.writeBytes(BtrfsIoctls.inoLookup(filesystem, parent, directory));
        path.write(reference.data(), ROOT_REF_NAME, nameLength);
        return Optional.of(path.toByteArray());
    }
}
