package io.daxguard.support.index;

import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.LinuxPath;
import io.daxguard.support.linux.DirectoryWalk;
import io.daxguard.support.linux.FileHandle;
import io.daxguard.support.linux.FileStatus;
import io.daxguard.support.linux.NativeCallException;
import io.daxguard.support.linux.NativeFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * The mechanics of an {@link IncrementalRefresh}: a new index from an old one and the handles of the files and
 * directories changed since, reading only those. Each changed directory is listed again and its names replace the old
 * ones; each changed file, and each file a new name leads to, is mapped again ({@link FileMapper}, reached by its handle
 * or its new name, as a walk maps it); a file no name leads to any more is dropped with its extents (a walk would not
 * find it); every other file, link and extent is copied from the old index's columns, and the directories are
 * numbered again parents first, as a walk numbers them. One use, on the index thread.
 */
final class ChangedFilesMerge {
    /** A name of a listed directory: kept from the old index ({@code oldLink} >= 0) or new ({@code name}). */
    private record Entry(int oldLink, byte[] name, long inode, int directory) {
    }

    private final ExtentIndex old;
    private final LinuxPath root;
    private final BooleanSupplier cancelled;
    private final FileMapper mapper;
    private final IndexAssembler assembler;
    /** Per old link: the inode of the file it names, -1 for a link of no indexed file. */
    private final long[] linkInode;
    /** Per old link: the directory it names (walk number), -1 for a file's link. */
    private final int[] linkNamesDirectory;
    /** The old links grouped by directory: those of directory d are {@code byDirectory[directoryStart[d] ..]}. */
    private final int[] directoryStart;
    private final int[] byDirectory;
    /** Old directories by inode; -1 for an inode named by two directories (a bind mount's doing). */
    private final Map<Long, Integer> directoryByInode = new HashMap<>();
    /** The listed directories' names now, by old directory number. */
    private final Map<Integer, List<Entry>> listed = new HashMap<>();
    /** The inodes mapped again, whether or not their mapping succeeded: their old records are dropped. */
    private final Set<Long> remapped = new HashSet<>();
    /** Extents of changed files that are shared (SHARED flag), before or after the change: {from, to} each. */
    private final List<long[]> sharedRanges = new ArrayList<>();

    ChangedFilesMerge(ExtentIndex old, ExtraExtentSource extras, BooleanSupplier cancelled) {
        this.old = old;
        this.root = old.root();
        this.cancelled = cancelled;
        this.mapper = new FileMapper(extras);
        this.assembler = new IndexAssembler(old.rootInode());
        int links = old.linkCount();
        linkInode = new long[links];
        Arrays.fill(linkInode, -1);
        for (int f = 0; f < old.fileCount(); f++) {
            for (int link = old.firstLinkOf(f); link < old.firstLinkOf(f + 1); link++) {
                linkInode[link] = old.fileInode(f);
            }
        }
        linkNamesDirectory = new int[links];
        Arrays.fill(linkNamesDirectory, -1);
        directoryByInode.put(old.rootInode(), 0);
        for (int d = 1; d < old.directoryCount(); d++) {
            int link = old.linkOfDirectory(d);
            linkNamesDirectory[link] = d;
            if (linkInode[link] >= 0) {
                directoryByInode.merge(linkInode[link], d, (a, b) -> -1);
            }
        }
        directoryStart = new int[old.directoryCount() + 1];
        for (int link = 0; link < links; link++) {
            directoryStart[old.directoryOfLink(link) + 1]++;
        }
        for (int d = 0; d < old.directoryCount(); d++) {
            directoryStart[d + 1] += directoryStart[d];
        }
        byDirectory = new int[links];
        int[] filled = Arrays.copyOf(directoryStart, old.directoryCount());
        for (int link = 0; link < links; link++) {
            byDirectory[filled[old.directoryOfLink(link)]++] = link;
        }
    }

    /**
     * The merged index; {@code started} becomes its {@link ExtentIndex#startedNanos}. {@code suspects} are inodes that
     * may have changed with no event naming them (a proposal live confirmation rejected, a file mapped shared and
     * writable): each is opened again at its indexed names and mapped again when a name still leads to it, or dropped.
     */
    ExtentIndex merge(Set<FileHandle> changed, Set<Long> suspects, long started)
            throws IOException, IncrementalRefresh.FullBuildNeeded {
        try (NativeFile mount = NativeFile.openDirectory(root)) {
            FileStatus rootStatus = mount.status();
            if (rootStatus.inode() != old.rootInode()) {
                throw new IncrementalRefresh.FullBuildNeeded("another filesystem is mounted at " + root);
            }
            DeviceNumber device = rootStatus.device();
            Map<Long, FileHandle> changedFiles = new HashMap<>();
            Set<Long> changedDirectories = new HashSet<>();
            Set<Long> recheck = new HashSet<>(suspects);
            for (FileHandle handle : changed) {
                checkCancelled();
                try (NativeFile file = mount.openHandle(handle, NativeFile.HandleAccess.PATH)) {
                    FileStatus status = file.status();
                    if (status.device().equals(device) && (status.isRegularFile() || status.isDirectory())) {
                        changedFiles.put(status.inode(), handle);
                        if (status.isDirectory()) {
                            changedDirectories.add(status.inode());
                        }
                    }
                } catch (NativeCallException e) {
                    staleOrFull(e); // gone: the directory that held its last name changed too, and is listed again
                    recheck.add(goneInode(handle));
                }
            }
            for (long directoryInode : changedDirectories) {
                Integer d = directoryByInode.get(directoryInode);
                if (d == null || d < 0) {
                    throw new IncrementalRefresh.FullBuildNeeded("a changed directory is not in the index");
                }
                try (NativeFile directory = mount.openHandle(changedFiles.get(directoryInode),
                        NativeFile.HandleAccess.DIRECTORY)) {
                    listed.put(d, listAgain(d, directory, device, changedFiles.keySet()));
                } catch (NativeCallException e) {
                    throw new IncrementalRefresh.FullBuildNeeded("a changed directory cannot be listed: "
                            + e.getMessage());
                }
            }
            Set<Long> listedInodes = new HashSet<>();
            listed.values().forEach(entries -> entries.forEach(entry -> listedInodes.add(entry.inode())));
            for (Map.Entry<Long, FileHandle> file : changedFiles.entrySet()) {
                long inode = file.getKey();
                if (remapped.contains(inode) || !isLinked(inode, old.fileNumber(inode), listedInodes)) {
                    continue;
                }
                checkCancelled();
                remapped.add(inode);
                NativeFile.HandleAccess access = changedDirectories.contains(inode)
                        ? NativeFile.HandleAccess.DIRECTORY : NativeFile.HandleAccess.READ;
                try (NativeFile open = mount.openHandle(file.getValue(), access)) {
                    map(inode, open);
                } catch (NativeCallException e) {
                    staleOrFull(e);
                }
            }
            for (long inode : recheck) {
                if (!changedFiles.containsKey(inode)) {
                    recheck(mount, inode, device, listedInodes);
                }
            }
            keepUnchanged(listedInodes);
            addLinks();
            return assembler.finish(root, started);
        }
    }

    /**
     * The inode number a stale handle named. Its file was deleted, but ext4 and XFS give the number to the next file
     * made, and one made without a writable open (mknod, a lock file) sends no event of its own while its directory's
     * listing shows the same name and number as before: so the number is checked again by its names. A directory's
     * number means a directory was removed (and maybe made again under its name with the same number, its old names
     * kept): a full build, as for any directory removed.
     */
    private long goneInode(FileHandle handle) throws IncrementalRefresh.FullBuildNeeded {
        java.util.OptionalLong inode = handle.inodeNumber();
        if (inode.isEmpty()) {
            throw new IncrementalRefresh.FullBuildNeeded("a changed file is gone and its handle (" + handle
                    + ") names no inode number the refresh can check");
        }
        if (directoryByInode.containsKey(inode.getAsLong())) {
            throw new IncrementalRefresh.FullBuildNeeded("a directory was removed in " + root);
        }
        return inode.getAsLong();
    }

    /**
     * Maps {@code inode} again when one of its old names still leads to it (whatever its generation now), and drops
     * its old record either way: a name leading elsewhere now was changed in a directory that is listed again.
     */
    private void recheck(NativeFile mount, long inode, DeviceNumber device, Set<Long> listedInodes)
            throws IOException {
        int f = old.fileNumber(inode);
        if (f < 0 || remapped.contains(inode) || !isLinked(inode, f, listedInodes)) {
            return;
        }
        checkCancelled();
        remapped.add(inode);
        for (List<LinuxPath> components : old.linkComponentsOf(inode)) {
            if (components.isEmpty()) {
                return;
            }
            LinuxPath relative = LinuxPath.ofComponents(components);
            try (NativeFile file = mount.openBeneath(relative, NativeFile.Access.READ, false)) {
                FileStatus status = file.status();
                if (status.inode() == inode && status.device().equals(device) && status.isRegularFile()) {
                    map(inode, file);
                    return;
                }
            } catch (NativeCallException e) {
                // gone or replaced at this name; the next one may still lead to it
            }
        }
    }

    private static void staleOrFull(NativeCallException e) throws IncrementalRefresh.FullBuildNeeded {
        if (!e.isStale()) {
            throw new IncrementalRefresh.FullBuildNeeded("a changed file cannot be opened by its handle: "
                    + e.getMessage());
        }
    }

    /**
     * The names of old directory {@code d} as {@code directory} holds them now. A file name that is new (or leads
     * to a changed file) is opened and its file mapped, as a walk would; an unchanged one keeps its old link.
     */
    private List<Entry> listAgain(int d, NativeFile directory, DeviceNumber device, Set<Long> changedFiles)
            throws IOException, IncrementalRefresh.FullBuildNeeded {
        Map<String, Integer> before = new HashMap<>();
        int directoriesBefore = 0;
        for (int i = directoryStart[d]; i < directoryStart[d + 1]; i++) {
            before.put(key(old.linkName(byDirectory[i])), byDirectory[i]);
            directoriesBefore += linkNamesDirectory[byDirectory[i]] >= 0 ? 1 : 0;
        }
        List<byte[]> names = new ArrayList<>();
        List<long[]> inodesAndTypes = new ArrayList<>();
        DirectoryWalk.list(directory, (name, inode, type) -> {
            names.add(name);
            inodesAndTypes.add(new long[] {inode, type});
        });
        List<Entry> now = new ArrayList<>();
        int directoriesNow = 0;
        for (int i = 0; i < names.size(); i++) {
            byte[] name = names.get(i);
            long inode = inodesAndTypes.get(i)[0];
            int type = (int) inodesAndTypes.get(i)[1];
            Integer was = before.get(key(name));
            boolean wasDirectory = was != null && linkNamesDirectory[was] >= 0;
            if (type == DirectoryWalk.DT_DIR) {
                if (!wasDirectory || linkInode[was] != inode) {
                    throw new IncrementalRefresh.FullBuildNeeded("a directory was made, moved or removed in " + root);
                }
                now.add(new Entry(was, null, inode, linkNamesDirectory[was]));
                directoriesNow++;
            } else if (type == DirectoryWalk.DT_REG || type == DirectoryWalk.DT_UNKNOWN) {
                if (wasDirectory) {
                    throw new IncrementalRefresh.FullBuildNeeded("a directory was replaced by a file in " + root);
                } else if (was != null && linkInode[was] == inode && !changedFiles.contains(inode)) {
                    now.add(new Entry(was, null, inode, -1));
                } else {
                    Entry found = openAndMap(directory, name, device);
                    if (found != null) {
                        now.add(found);
                    }
                }
            }
        }
        if (directoriesNow != directoriesBefore) {
            throw new IncrementalRefresh.FullBuildNeeded("a directory was removed or moved in " + root);
        }
        return now;
    }

    /** A walk's visit of a new file name: the link it adds, its file mapped unless mapped already; null if unopenable. */
    private Entry openAndMap(NativeFile directory, byte[] name, DeviceNumber device) throws IOException {
        checkCancelled();
        NativeFile child;
        try {
            child = directory.openChildNoFollow(LinuxPath.of(name), false);
        } catch (NativeCallException e) {
            return null; // gone, or a symlink (ELOOP): a walk skips it too
        }
        try (child) {
            FileStatus status = child.status();
            long inode = status.inode();
            if (status.device().equals(device) && status.isRegularFile() && remapped.add(inode)) {
                map(inode, child);
            }
            return new Entry(-1, name, inode, -1);
        }
    }

    private void map(long inode, NativeFile file) throws IOException {
        mapper.map(inode, file, new FileMapper.Sink() {
            @Override
            public void file(long mappedInode, long generation) {
                assembler.addFile(mappedInode, generation);
            }

            @Override
            public void extent(long mappedInode, long logical, long physical, long length, int flags) {
                assembler.addExtent(mappedInode, logical, physical, length, flags);
                if ((flags & ExtentFlags.SHARED) != 0) {
                    sharedRanges.add(new long[] {physical, physical + length});
                }
            }
        });
    }

    /**
     * Whether a name leads to {@code inode} (old file number {@code f}, negative if none) once the listed directories'
     * names replace their old ones. The root always has its place.
     */
    private boolean isLinked(long inode, int f, Set<Long> listedInodes) {
        if (inode == old.rootInode() || listedInodes.contains(inode)) {
            return true;
        }
        if (f >= 0) {
            for (int link = old.firstLinkOf(f); link < old.firstLinkOf(f + 1); link++) {
                if (!listed.containsKey(old.directoryOfLink(link))) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Copies the old records of every file not mapped again that a name still leads to, with their extents. Shared
     * blocks of a changed file that an unchanged file also maps need a full build: FIEMAP's SHARED flag of the
     * unchanged file may have changed (a clone, the other owner deleted) without an event for it.
     */
    private void keepUnchanged(Set<Long> listedInodes) throws IncrementalRefresh.FullBuildNeeded {
        boolean[] kept = new boolean[old.fileCount()];
        for (int f = 0; f < old.fileCount(); f++) {
            long inode = old.fileInode(f);
            kept[f] = !remapped.contains(inode) && isLinked(inode, f, listedInodes);
            if (kept[f]) {
                assembler.addFile(inode, old.fileGeneration(f));
            }
        }
        for (int i = 0; i < old.extentCount(); i++) {
            if (kept[old.fileOfExtent(i)]) {
                old.copyExtent(i, assembler);
            } else if ((old.extentFlags(i) & ExtentFlags.SHARED) != 0) {
                IndexedExtent extent = old.extentAt(i);
                sharedRanges.add(new long[] {extent.physical(), extent.physicalEnd()});
            }
        }
        for (long[] range : sharedRanges) {
            for (int position : old.positionsOverlapping(range[0], range[1])) {
                if (kept[old.fileOfExtent(position)]) {
                    throw new IncrementalRefresh.FullBuildNeeded("a changed file shares blocks with an unchanged one");
                }
            }
        }
    }

    /** Adds every name, directories numbered parents first as a walk numbers them. */
    private void addLinks() {
        ArrayDeque<int[]> queue = new ArrayDeque<>();
        queue.add(new int[] {0, 0});
        while (!queue.isEmpty()) {
            int[] directory = queue.poll();
            int oldNumber = directory[0];
            List<Entry> entries = listed.get(oldNumber);
            if (entries == null) {
                for (int i = directoryStart[oldNumber]; i < directoryStart[oldNumber + 1]; i++) {
                    int link = byDirectory[i];
                    int child = linkNamesDirectory[link];
                    int number = old.copyLink(link, assembler, directory[1], linkInode[link], child >= 0);
                    if (child >= 0) {
                        queue.add(new int[] {child, number});
                    }
                }
                continue;
            }
            for (Entry entry : entries) {
                boolean isDirectory = entry.directory() >= 0;
                int number = entry.oldLink() >= 0
                        ? old.copyLink(entry.oldLink(), assembler, directory[1], entry.inode(), isDirectory)
                        : assembler.addLink(directory[1], entry.name(), entry.inode(), isDirectory);
                if (isDirectory) {
                    queue.add(new int[] {entry.directory(), number});
                }
            }
        }
    }

    private void checkCancelled() {
        if (cancelled.getAsBoolean()) {
            throw new CancellationException("index refresh of " + root + " cancelled");
        }
    }

    private static String key(byte[] name) {
        return new String(name, StandardCharsets.ISO_8859_1);
    }
}
