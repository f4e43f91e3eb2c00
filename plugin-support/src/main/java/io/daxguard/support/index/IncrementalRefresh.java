package io.daxguard.support.index;

import io.daxguard.spi.DeviceNumber;
import io.daxguard.spi.LinuxPath;
import io.daxguard.support.linux.DirectoryWalk;
import io.daxguard.support.linux.FileHandle;
import io.daxguard.support.linux.FileStatus;
import io.daxguard.support.linux.FilesystemChanges;
import io.daxguard.support.linux.MountPoints;
import io.daxguard.support.linux.NativeCallException;
import io.daxguard.support.linux.NativeFile;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * Makes a new index from an old one and the files fanotify named since the old one's change count was read
 * ({@link io.daxguard.support.linux.FilesystemChanges#takeChangedFiles}), reading only those files: what a full build
 * ({@link ExtentIndexBuilder} without a scanner) would record of the changed parts, and the old index's records of the
 * rest.
 *
 * <p>An event names the file written ({@code FAN_MODIFY}, {@code FAN_ATTRIB}: a link count), or, for a name made,
 * removed or moved, the directory holding the name. So: each changed directory is listed again (getdents) and its
 * names replace the old ones; each changed file, and each file a new name leads to, is mapped again ({@link FileMapper},
 * reached by its handle or its new name); a file that no name leads to any more is dropped with its extents (a full
 * walk would not find it); every other file keeps its old record. Renamed files are found under their new names only,
 * since both directories changed.
 *
 * <p>What is not done incrementally ({@link FullBuildNeeded}, and the caller builds in full): a directory made,
 * removed, moved or replaced (the paths of a subtree change), a changed directory the old index does not hold, a
 * changed file sharing blocks with a file that did not change (its FIEMAP flags may have changed without an event), and
 * a handle that cannot be opened for another reason than the file being gone.
 *
 * <p>Runs on the index thread only; reads the filesystem through the mount point's descriptor
 * ({@code open_by_handle_at}, which needs CAP_DAC_READ_SEARCH).
 */
final class IncrementalRefresh {
    /** The changed files since the last change count above which a full build is done instead. */
    static final int MIN_BOUND = 256;

    /** The changes cannot be applied to the old index exactly; a full build must be made instead. */
    static final class FullBuildNeeded extends Exception {
        private static final long serialVersionUID = 1L;

        FullBuildNeeded(String reason) {
            super(reason, null, false, false);
        }
    }

    /** One name of a directory: a file's ({@code directory} -1) or a directory's (its old walk number). */
    private record Entry(byte[] name, long inode, int directory) {
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
    /** Old directories by inode; -1 for an inode named by two directories (a bind mount's doing). */
    private final Map<Long, Integer> directoryByInode = new HashMap<>();
    /** The inodes mapped again, whether or not their mapping succeeded: their old records are dropped. */
    private final Set<Long> remapped = new HashSet<>();
    /** Extents of changed files that are shared (SHARED flag), before or after the change. */
    private final List<long[]> sharedRanges = new ArrayList<>();

    IncrementalRefresh(ExtentIndex old, ExtraExtentSource extras, BooleanSupplier cancelled) {
        this.old = old;
        this.root = old.root();
        this.cancelled = cancelled;
        this.mapper = new FileMapper(extras);
        this.assembler = new IndexAssembler(old.rootInode());
        int links = old.linkCount();
        this.linkInode = new long[links];
        java.util.Arrays.fill(linkInode, -1);
        for (int f = 0; f < old.fileCount(); f++) {
            for (int link = old.firstLinkOf(f); link < old.firstLinkOf(f + 1); link++) {
                linkInode[link] = old.fileInode(f);
            }
        }
        this.linkNamesDirectory = new int[links];
        java.util.Arrays.fill(linkNamesDirectory, -1);
        directoryByInode.put(old.rootInode(), 0);
        for (int d = 1; d < old.directoryCount(); d++) {
            int link = old.linkOfDirectory(d);
            linkNamesDirectory[link] = d;
            if (linkInode[link] >= 0) {
                directoryByInode.merge(linkInode[link], d, (a, b) -> -1);
            }
        }
    }

    /**
     * The base of the next refresh: the index made when the last changed files were taken, and the mount points below
     * the root then (a walk stops at them, so a mount or unmount there changes what a full build would find).
     */
    record Base(ExtentIndex index, Set<LinuxPath> mountsBeneath) {
    }

    /** The mount points below {@code root} now; null, and a full build next time, when the table cannot be read. */
    static Set<LinuxPath> mountsBeneath(LinuxPath root, System.Logger logger) {
        try {
            return MountPoints.beneath(root);
        } catch (IOException e) {
            logger.log(System.Logger.Level.WARNING, "cannot read the mount table (" + e.getMessage() + "); the next"
                    + " refresh of the index of " + root + " walks it in full");
            return null;
        }
    }

    /**
     * An index made from {@code base} and the files changed since it was taken ({@code taken}), reading only those;
     * null when a full build must be made instead: changes not known (a full queue, an undecodable event, too many),
     * mounts made or removed below the root, or a change the refresh cannot apply exactly ({@link FullBuildNeeded}, or
     * a changed file that cannot be read). Says which, in the log.
     */
    static ExtentIndex attempt(Base base, FilesystemChanges.ChangedFiles taken, Set<LinuxPath> mountsNow,
                               ExtraExtentSource extras, BooleanSupplier cancelled, long started,
                               System.Logger logger) throws IOException {
        LinuxPath root = base.index().root();
        String full = taken.files() == null ? "the changed files are not known (a full event queue, or too many)"
                : !base.mountsBeneath().equals(mountsNow) ? "a filesystem was mounted or unmounted below " + root
                : !worthIt(taken.files().size(), base.index().fileCount()) ? taken.files().size() + " files changed"
                : null;
        if (full == null) {
            try {
                ExtentIndex index = new IncrementalRefresh(base.index(), extras, cancelled).refresh(taken.files(),
                        started);
                logger.log(System.Logger.Level.INFO, "reverse-map index of " + root + " refreshed incrementally ("
                        + taken.files().size() + " files and directories changed) in "
                        + (System.nanoTime() - started) / 1_000_000 + " ms");
                return index;
            } catch (FullBuildNeeded e) {
                full = e.getMessage();
            } catch (IOException e) {
                full = "a changed file could not be read (" + e.getMessage() + ")";
            }
        }
        logger.log(System.Logger.Level.INFO, "reverse-map index of " + root + " rebuilt in full: " + full);
        return null;
    }

    /** Whether {@code changed} files are few enough, for an index of {@code indexedFiles}, to refresh incrementally. */
    static boolean worthIt(int changed, int indexedFiles) {
        return changed <= Math.max(MIN_BOUND, indexedFiles / 4);
    }

    /** The refreshed index; {@code started} is when its change count was read (its {@link ExtentIndex#startedNanos}). */
    ExtentIndex refresh(Set<FileHandle> changed, long started) throws IOException, FullBuildNeeded {
        try (NativeFile mount = NativeFile.openDirectory(root)) {
            FileStatus rootStatus = mount.status();
            if (rootStatus.inode() != old.rootInode()) {
                throw new FullBuildNeeded("another filesystem is mounted at " + root);
            }
            DeviceNumber device = rootStatus.device();
            Map<Long, FileHandle> changedFiles = new HashMap<>();
            Set<Long> changedDirectories = new HashSet<>();
            for (FileHandle handle : changed) {
                checkCancelled();
                try (NativeFile file = mount.openHandle(handle, NativeFile.HandleAccess.PATH)) {
                    FileStatus status = file.status();
                    if (!status.device().equals(device) || !(status.isRegularFile() || status.isDirectory())) {
                        continue;
                    }
                    changedFiles.put(status.inode(), handle);
                    if (status.isDirectory()) {
                        changedDirectories.add(status.inode());
                    }
                } catch (NativeCallException e) {
                    if (!e.isStale()) {
                        throw new FullBuildNeeded("a changed file cannot be opened by its handle: " + e.getMessage());
                    }
                    // Gone: the directory that held its last name changed too, and is listed again.
                }
            }
            Map<Integer, List<Entry>> listed = new HashMap<>();
            for (long directoryInode : changedDirectories) {
                Integer d = directoryByInode.get(directoryInode);
                if (d == null || d < 0) {
                    throw new FullBuildNeeded("directory " + directoryInode + " is not in the index");
                }
                try (NativeFile directory = mount.openHandle(changedFiles.get(directoryInode),
                        NativeFile.HandleAccess.DIRECTORY)) {
                    listed.put(d, listAgain(d, directory, device, changedFiles.keySet()));
                } catch (NativeCallException e) {
                    throw new FullBuildNeeded("a changed directory cannot be listed: " + e.getMessage());
                }
            }
            Set<Long> linked = linkedInodes(listed);
            for (Map.Entry<Long, FileHandle> file : changedFiles.entrySet()) {
                long inode = file.getKey();
                if (remapped.contains(inode) || inode != old.rootInode() && !linked.contains(inode)) {
                    continue;
                }
                checkCancelled();
                remapped.add(inode);
                boolean directory = changedDirectories.contains(inode);
                try (NativeFile open = mount.openHandle(file.getValue(), directory ? NativeFile.HandleAccess.DIRECTORY
                        : NativeFile.HandleAccess.READ)) {
                    mapChanged(inode, open);
                } catch (NativeCallException e) {
                    if (!e.isStale()) {
                        throw new FullBuildNeeded("a changed file cannot be opened by its handle: " + e.getMessage());
                    }
                }
            }
            keepUnchanged(linked);
            addLinks(listed);
            return assembler.finish(root, started);
        }
    }

    /**
     * The names of old directory {@code d} as {@code directory} holds them now. A file name that is new (or leads
     * to a changed file) is opened and its file mapped, as a walk would; an unchanged one keeps its old record.
     */
    private List<Entry> listAgain(int d, NativeFile directory, DeviceNumber device, Set<Long> changedFiles)
            throws IOException, FullBuildNeeded {
        Map<String, Entry> before = new HashMap<>();
        for (Entry entry : oldEntries(d)) {
            before.put(key(entry.name()), entry);
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
            Entry was = before.get(key(name));
            if (type == DirectoryWalk.DT_DIR) {
                if (was == null || was.directory() < 0 || was.inode() != inode) {
                    throw new FullBuildNeeded("a directory was made, moved or removed in " + root);
                }
                now.add(was);
                directoriesNow++;
            } else if (type == DirectoryWalk.DT_REG || type == DirectoryWalk.DT_UNKNOWN) {
                if (was != null && was.directory() < 0 && was.inode() == inode && !changedFiles.contains(inode)) {
                    now.add(was);
                } else if (was != null && was.directory() >= 0) {
                    throw new FullBuildNeeded("a directory was replaced by a file in " + root);
                } else {
                    Entry found = openAndMap(directory, name, device);
                    if (found != null) {
                        now.add(found);
                    }
                }
            }
        }
        long directoriesBefore = before.values().stream().filter(entry -> entry.directory() >= 0).count();
        if (directoriesNow != directoriesBefore) {
            throw new FullBuildNeeded("a directory was removed or moved in " + root);
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
                mapChanged(inode, child);
            }
            return new Entry(name, inode, -1);
        }
    }

    private void mapChanged(long inode, NativeFile file) throws IOException {
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

    /** The names of old directory {@code d}, from the old index. */
    private List<Entry> oldEntries(int d) {
        List<Entry> entries = new ArrayList<>();
        for (int link : linksByDirectory().getOrDefault(d, List.of())) {
            entries.add(new Entry(old.linkName(link), linkInode[link], linkNamesDirectory[link]));
        }
        return entries;
    }

    private Map<Integer, List<Integer>> linksByDirectory;

    private Map<Integer, List<Integer>> linksByDirectory() {
        if (linksByDirectory == null) {
            linksByDirectory = new HashMap<>();
            for (int link = 0; link < linkInode.length; link++) {
                linksByDirectory.computeIfAbsent(old.directoryOfLink(link), d -> new ArrayList<>()).add(link);
            }
        }
        return linksByDirectory;
    }

    /** Every inode a name leads to once the listed directories' names replace their old ones. */
    private Set<Long> linkedInodes(Map<Integer, List<Entry>> listed) {
        Set<Long> linked = new HashSet<>();
        for (int link = 0; link < linkInode.length; link++) {
            if (!listed.containsKey(old.directoryOfLink(link))) {
                linked.add(linkInode[link]);
            }
        }
        listed.values().forEach(entries -> entries.forEach(entry -> linked.add(entry.inode())));
        return linked;
    }

    /**
     * Copies the old records of every file not mapped again that a name still leads to, with their extents. Shared
     * blocks of a changed file that an unchanged file also maps need a full build: FIEMAP's SHARED flag of the
     * unchanged file may have changed (a clone, the other owner deleted) without an event for it.
     */
    private void keepUnchanged(Set<Long> linked) throws FullBuildNeeded {
        boolean[] kept = new boolean[old.fileCount()];
        for (int f = 0; f < old.fileCount(); f++) {
            long inode = old.fileInode(f);
            kept[f] = !remapped.contains(inode) && (inode == old.rootInode() || linked.contains(inode));
            if (kept[f]) {
                assembler.addFile(inode, old.fileGeneration(f));
            }
        }
        for (int i = 0; i < old.extentCount(); i++) {
            IndexedExtent extent = old.extentAt(i);
            if (kept[old.fileOfExtent(i)]) {
                assembler.addExtent(extent.inode(), extent.logical(), extent.physical(), extent.length(),
                        extent.flags());
            } else if ((extent.flags() & ExtentFlags.SHARED) != 0) {
                sharedRanges.add(new long[] {extent.physical(), extent.physical() + extent.length()});
            }
        }
        for (long[] range : sharedRanges) {
            for (int position : old.positionsOverlapping(range[0], range[1])) {
                if (kept[old.fileOfExtent(position)]) {
                    throw new FullBuildNeeded("a changed file shares blocks with an unchanged one");
                }
            }
        }
    }

    /** Adds every name, directories numbered parents first as a walk numbers them. */
    private void addLinks(Map<Integer, List<Entry>> listed) {
        ArrayDeque<int[]> queue = new ArrayDeque<>();
        queue.add(new int[] {0, 0});
        while (!queue.isEmpty()) {
            int[] directory = queue.poll();
            List<Entry> entries = listed.containsKey(directory[0]) ? listed.get(directory[0])
                    : oldEntries(directory[0]);
            for (Entry entry : entries) {
                int number = assembler.addLink(directory[1], entry.name(), entry.inode(), entry.directory() >= 0);
                if (entry.directory() >= 0) {
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
        return new String(name, java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}
