package io.daxguard.agent.paths;

import io.daxguard.spi.LinuxPath;
import io.daxguard.support.linux.DirectoryWalk;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Every name in one filesystem's tree, from one {@link DirectoryWalk}, searchable by inode number.
 *
 * <p>Kept compact for trees of hundreds of thousands of entries: an entry is its inode, its directory (an
 * int) and its name (the bytes {@code getdents64} gave, never decoded: a name that is not UTF-8 must lead back to
 * its file); a path is rebuilt by following directories up to the root. A name is one byte array, smaller than the
 * String it replaced (about 60 bytes per entry then, name included).
 *
 * <p>Immutable once built; a stale index is replaced, never patched.
 */
final class PathIndex {
    private static final int ROOT = -1;

    /**
     * Entries are kept sorted by inode, so a question is one binary search of this array. (An array of entry ids
     * sorted by inode cost a second random memory read per step, a third of a warm batch's naming time.)
     */
    private final long[] inodes;
    private final int[] directories;
    private final byte[][] names;
    /** Entry that each directory index stands for; directory 0 is the root. */
    private final int[] directoryEntries;
    private final int size;
    private final long startedAt;

    /** The walk's entries in the order it met them, re-laid by inode. */
    private PathIndex(long[] walkInodes, int[] walkDirectories, byte[][] walkNames, int[] walkDirectoryEntries,
                      int directoryCount, int size, long startedAt) {
        this.startedAt = startedAt;
        this.size = size;
        int[] order = sortByInode(walkInodes, size);
        int[] placeOf = new int[size];
        inodes = new long[size];
        directories = new int[size];
        names = new byte[size][];
        for (int place = 0; place < size; place++) {
            int entry = order[place];
            placeOf[entry] = place;
            inodes[place] = walkInodes[entry];
            directories[place] = walkDirectories[entry];
            names[place] = walkNames[entry];
        }
        directoryEntries = new int[directoryCount];
        for (int directory = 1; directory < directoryCount; directory++) {
            directoryEntries[directory] = placeOf[walkDirectoryEntries[directory]];
        }
    }

    /** Walks the tree under {@code root} (a mount point) once. */
    static PathIndex build(LinuxPath root) throws IOException {
        long startedAt = System.nanoTime();
        Builder builder = new Builder();
        DirectoryWalk.walk(root, builder);
        return builder.build(startedAt);
    }

    /** When the walk started ({@link System#nanoTime}): it knows every name made before then. */
    long startedAt() {
        return startedAt;
    }


    /** The entry count. */
    int size() {
        return size;
    }

    /**
     * Every path of {@code inode} relative to the root, each starting with {@code /}, sorted by bytes; empty when
     * the walk did not meet it (deleted, or unlinked but still open).
     */
    List<LinuxPath> pathsOf(long inode) {
        int at = lowerBound(inode);
        List<LinuxPath> paths = new ArrayList<>(1);
        for (int i = at; i < size && inodes[i] == inode; i++) {
            paths.add(pathOf(i));
        }
        paths.sort(null);
        return paths;
    }

    private LinuxPath pathOf(int entry) {
        List<byte[]> parts = new ArrayList<>();
        int length = 0;
        for (int current = entry; current != ROOT; ) {
            parts.add(names[current]);
            length += 1 + names[current].length;
            int directory = directories[current];
            current = directory == 0 ? ROOT : directoryEntries[directory];
        }
        byte[] path = new byte[length];
        int at = 0;
        for (int i = parts.size() - 1; i >= 0; i--) {
            path[at++] = '/';
            System.arraycopy(parts.get(i), 0, path, at, parts.get(i).length);
            at += parts.get(i).length;
        }
        return LinuxPath.of(path);
    }

    private int lowerBound(long inode) {
        int low = 0;
        int high = size;
        while (low < high) {
            int middle = (low + high) >>> 1;
            if (inodes[middle] < inode) {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        return low;
    }

    private static int[] sortByInode(long[] inodes, int size) {
        // Sort (inode << 32 | entry) keys: one primitive sort instead of boxing 200,000 Integers.
        // Inode numbers of XFS and ext4 fit in 32 bits for filesystems below 2^32 inodes; larger ones
        // fall back to a boxed sort.
        boolean fits = true;
        for (int i = 0; i < size; i++) {
            if ((inodes[i] >>> 31) != 0) {
                fits = false;
                break;
            }
        }
        int[] order = new int[size];
        if (fits) {
            long[] keys = new long[size];
            for (int i = 0; i < size; i++) {
                keys[i] = (inodes[i] << 32) | i;
            }
            Arrays.sort(keys);
            for (int i = 0; i < size; i++) {
                order[i] = (int) keys[i];
            }
            return order;
        }
        Integer[] boxed = new Integer[size];
        for (int i = 0; i < size; i++) {
            boxed[i] = i;
        }
        Arrays.sort(boxed, (a, b) -> Long.compare(inodes[a], inodes[b]));
        for (int i = 0; i < size; i++) {
            order[i] = boxed[i];
        }
        return order;
    }

    private static final class Builder implements DirectoryWalk.Visitor {
        private long[] inodes = new long[1024];
        private int[] directories = new int[1024];
        private byte[][] names = new byte[1024][];
        private int[] directoryEntries = new int[256];
        private int size;
        private int directoryCount = 1;

        @Override
        public boolean entry(int parent, byte[] name, long inode, int type) {
            if ((size & 1023) == 0 && Thread.currentThread().isInterrupted()) {
                // BackgroundNames.close interrupts its thread: a walk of millions of names stops within moments.
                throw new java.util.concurrent.CancellationException("walk of the tree interrupted");
            }
            if (size == inodes.length) {
                inodes = Arrays.copyOf(inodes, size * 2);
                directories = Arrays.copyOf(directories, size * 2);
                names = Arrays.copyOf(names, size * 2);
            }
            inodes[size] = inode;
            directories[size] = parent;
            names[size] = name;
            boolean directory = type == DirectoryWalk.DT_DIR || type == DirectoryWalk.DT_UNKNOWN;
            if (directory) {
                if (directoryCount == directoryEntries.length) {
                    directoryEntries = Arrays.copyOf(directoryEntries, directoryCount * 2);
                }
                directoryEntries[directoryCount++] = size;
            }
            size++;
            return directory;
        }

        PathIndex build(long startedAt) {
            return new PathIndex(inodes, directories, names, directoryEntries, directoryCount, size, startedAt);
        }
    }
}
