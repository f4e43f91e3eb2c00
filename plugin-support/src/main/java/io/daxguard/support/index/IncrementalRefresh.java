package io.daxguard.support.index;

import io.daxguard.spi.LinuxPath;
import io.daxguard.support.linux.FilesystemChanges;
import io.daxguard.support.linux.MountPoints;
import io.daxguard.support.linux.NativeFile;
import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * Whether and how an index is refreshed incrementally: a new index from an old one and the files fanotify named since
 * the old one's change count was read ({@link io.daxguard.support.linux.FilesystemChanges#takeChangedFiles}), reading
 * only those files ({@link ChangedFilesMerge}): what a full build ({@link ExtentIndexBuilder} without a scanner) would
 * record of the changed parts, and the old index's records of the rest.
 *
 * <p>An event names the file written ({@code FAN_MODIFY}, {@code FAN_ATTRIB}: a link count), or, for a name made,
 * removed or moved, the directory holding the name. So: each changed directory is listed again (getdents) and its
 * names replace the old ones; each changed file, and each file a new name leads to, is mapped again ({@link FileMapper},
 * reached by its handle or its new name); a file that no name leads to any more is dropped with its extents (a full
 * walk would not find it); every other file keeps its old record. Renamed files are found under their new names only,
 * since both directories changed.
 *
 * <p>Some changes send no event naming the file; those files are checked again by their indexed names (mapped again
 * when a name still leads to their inode, whatever its generation, else dropped), as "suspects": an inode a live
 * confirmation rejected since the last refresh (its record is stale: a file deleted and made again with the same
 * inode number and no writable open, say), the inode a stale handle of the changed files named (deleted; its number
 * may have been given to a new file already), and every file of the filesystem some process maps shared and writable
 * now ({@link io.daxguard.support.linux.SharedWritableMappings}: its stores send no event until it is unmapped).
 *
 * <p>What is not done incrementally ({@link FullBuildNeeded}, and the caller builds in full): a directory made,
 * removed, moved or replaced (the paths of a subtree change; a stale handle naming an indexed directory's inode
 * number counts, as ext4 gives a directory removed and made again its number back), a changed directory the old index does not hold, a
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

    private IncrementalRefresh() {
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
    static ExtentIndex attempt(Base base, FilesystemChanges.ChangedFiles taken, Set<Long> suspects,
                               Set<LinuxPath> mountsNow, ExtraExtentSource extras, BooleanSupplier cancelled,
                               long started, System.Logger logger) throws IOException {
        LinuxPath root = base.index().root();
        String full = taken.files() == null ? "the changed files are not known (a full event queue, or too many)"
                : !base.mountsBeneath().equals(mountsNow) ? "a filesystem was mounted or unmounted below " + root
                : !worthIt(taken.files().size(), base.index().fileCount()) ? taken.files().size() + " files changed"
                : null;
        if (full == null && taken.files().isEmpty() && suspects.isEmpty()) {
            // Asked for (a question older than the last build, say) while nothing changed and nothing is suspect: the
            // index as it is, stamped anew, instead of a copy of every column (2.6 s for 2 million extents).
            full = sameRootOrWhyNot(base.index());
            if (full == null) {
                logger.log(System.Logger.Level.INFO, "reverse-map index of " + root + " refreshed: nothing changed");
                return base.index().restamped(started, Duration.ofNanos(System.nanoTime() - started));
            }
        }
        if (full == null) {
            try {
                ExtentIndex index = new ChangedFilesMerge(base.index(), extras, cancelled).merge(taken.files(),
                        suspects, started);
                logger.log(System.Logger.Level.INFO, "reverse-map index of " + root + " refreshed incrementally ("
                        + taken.files().size() + " files and directories changed, " + suspects.size()
                        + " files checked again without an event) in "
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

    /** Null when the index's root directory is still the one it walked; otherwise why a full build is needed. */
    private static String sameRootOrWhyNot(ExtentIndex index) throws IOException {
        try (NativeFile mount = NativeFile.openDirectory(index.root())) {
            return mount.status().inode() == index.rootInode() ? null
                    : "another filesystem is mounted at " + index.root();
        }
    }

    /** Whether {@code changed} files are few enough, for an index of {@code indexedFiles}, to refresh incrementally. */
    static boolean worthIt(int changed, int indexedFiles) {
        return changed <= Math.max(MIN_BOUND, indexedFiles / 4);
    }
}
