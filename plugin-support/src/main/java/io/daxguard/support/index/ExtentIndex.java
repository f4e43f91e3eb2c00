package io.daxguard.support.index;

import io.daxguard.spi.LinuxPath;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * An immutable snapshot of "which file holds which physical range", for filesystems without a reverse map
 * of their own (ext4; XFS made without {@code rmapbt}). It only <em>proposes</em> owners: the filesystem
 * changes after the snapshot, so {@link LiveReverseMap} confirms every proposal against the live file.
 *
 * <p>Memory: every column is a {@link PackedColumn}, as wide as its widest value. An extent is its physical
 * offset, length, file offset, file number and flags; a file its inode and generation and where its links
 * start; a link its directory, where its name starts, and the name's bytes as the directory holds them (not decoded:
 * a name that is not UTF-8 must be opened by those bytes). On the 200,000-file
 * benchmark fixture (8 GiB) that is 8.6 bytes per extent and 27.6 bytes per extent with files and names
 * (see {@link #memoryBytes}); plain {@code long[]} columns took 29 bytes per extent before files and names.
 * Safe to read from any number of threads.
 */
public final class ExtentIndex {
    private static final int REACH_STRIDE = 16;
    private final LinuxPath root;
    private final long startedNanos;
    private final Duration buildTime;
    // Extents, sorted by physical.
    private final PackedColumn physical;
    private final PackedColumn length;
    private final PackedColumn logical;
    private final PackedColumn file;
    private final PackedColumn flags;
    /**
     * {@code reach[j]}: the furthest end of any extent at a position below {@code (j + 1) * REACH_STRIDE};
     * non-decreasing, so a binary search finds the first positions that can reach a byte. Why: extents that start
     * far before a byte may still cover it (a 128 MiB extent), and scanning back from the byte over every extent
     * within the longest extent's length cost thousands of reads per question on a dense filesystem.
     */
    private final long[] reach;
    // Files, sorted by inode; links of file f are [firstLink[f], firstLink[f+1]).
    private final PackedColumn inode;
    private final PackedColumn generation;
    private final PackedColumn firstLink;
    // Links: the directory holding the name, and the name's bytes [nameStart[l], nameStart[l+1]).
    private final PackedColumn linkDirectory;
    private final PackedColumn nameStart;
    private final byte[] names;
    // Directories by walk index (root 0): the link naming each plus one (packed columns hold no -1); 0 for the root.
    private final PackedColumn directoryLinkPlusOne;
    private final long rootInode;
    /** Read back from the state directory rather than built in this run: it knows nothing of changes since. */
    private final boolean loaded;

    ExtentIndex(LinuxPath root, long rootInode, long startedNanos, Duration buildTime, long[] physical, long[] length,
                long[] logical,
                int[] file, byte[] flags, long[] inode, int[] generation, int[] firstLink, int[] linkDirectory,
                int[] nameStart, byte[] names, int[] directoryLink) {
        this.root = Objects.requireNonNull(root, "root is null");
        this.startedNanos = startedNanos;
        this.buildTime = Objects.requireNonNull(buildTime, "buildTime is null");
        this.physical = PackedColumn.of(physical, physical.length);
        this.length = PackedColumn.of(length, length.length);
        this.logical = PackedColumn.of(logical, logical.length);
        this.file = PackedColumn.of(file, file.length);
        this.flags = PackedColumn.ofUnsigned(flags, flags.length);
        this.inode = PackedColumn.of(inode, inode.length);
        this.generation = PackedColumn.ofUnsigned(generation, generation.length);
        this.firstLink = PackedColumn.of(firstLink, firstLink.length);
        this.linkDirectory = PackedColumn.of(linkDirectory, linkDirectory.length);
        this.nameStart = PackedColumn.of(nameStart, nameStart.length);
        this.names = names;
        int[] plusOne = new int[directoryLink.length];
        for (int d = 0; d < directoryLink.length; d++) {
            plusOne[d] = directoryLink[d] + 1;
        }
        this.directoryLinkPlusOne = PackedColumn.of(plusOne, plusOne.length);
        this.rootInode = rootInode;
        this.loaded = false;
        this.reach = new long[(physical.length + REACH_STRIDE - 1) / REACH_STRIDE];
        long furthest = 0;
        for (int i = 0; i < physical.length; i++) {
            furthest = Math.max(furthest, physical[i] + length[i]);
            reach[i / REACH_STRIDE] = furthest;
        }
    }

    /**
     * An index read back from a saved file ({@link SavedIndexFormat}): the columns in {@link #columns()} order, the
     * names, and the reach table, checked to fit together (sizes, and directories in walk order, so no path loops); the
     * values themselves are trusted to the file's checksum.
     */
    ExtentIndex(LinuxPath root, long rootInode, long startedNanos, Duration buildTime, List<PackedColumn> columns,
                byte[] names, long[] reach) {
        if (columns.size() != COLUMNS) {
            throw new IllegalArgumentException(COLUMNS + " columns expected, got " + columns.size());
        }
        this.root = Objects.requireNonNull(root, "root is null");
        this.rootInode = rootInode;
        this.startedNanos = startedNanos;
        this.buildTime = Objects.requireNonNull(buildTime, "buildTime is null");
        this.loaded = true;
        this.physical = columns.get(0);
        this.length = columns.get(1);
        this.logical = columns.get(2);
        this.file = columns.get(3);
        this.flags = columns.get(4);
        this.inode = columns.get(5);
        this.generation = columns.get(6);
        this.firstLink = columns.get(7);
        this.linkDirectory = columns.get(8);
        this.nameStart = columns.get(9);
        this.directoryLinkPlusOne = columns.get(10);
        this.names = Objects.requireNonNull(names, "names is null");
        this.reach = Objects.requireNonNull(reach, "reach is null");
        checkShape();
    }

    /** The same index as {@code same}, stamped as built from {@code startedNanos}: a refresh that found no change. */
    private ExtentIndex(ExtentIndex same, long startedNanos, Duration buildTime) {
        this.root = same.root;
        this.rootInode = same.rootInode;
        this.startedNanos = startedNanos;
        this.buildTime = Objects.requireNonNull(buildTime, "buildTime is null");
        this.loaded = same.loaded;
        this.physical = same.physical;
        this.length = same.length;
        this.logical = same.logical;
        this.file = same.file;
        this.flags = same.flags;
        this.inode = same.inode;
        this.generation = same.generation;
        this.firstLink = same.firstLink;
        this.linkDirectory = same.linkDirectory;
        this.nameStart = same.nameStart;
        this.directoryLinkPlusOne = same.directoryLinkPlusOne;
        this.names = same.names;
        this.reach = same.reach;
    }

    /** This index, shared, stamped as a build that started at {@code startedNanos} and took {@code buildTime}. */
    ExtentIndex restamped(long startedNanos, Duration buildTime) {
        return new ExtentIndex(this, startedNanos, buildTime);
    }

    /** How many columns {@link #columns()} has. */
    static final int COLUMNS = 11;

    /** Every packed column, in the order the loading constructor takes them. */
    List<PackedColumn> columns() {
        return List.of(physical, length, logical, file, flags, inode, generation, firstLink, linkDirectory, nameStart,
                directoryLinkPlusOne);
    }

    byte[] names() {
        return names;
    }

    long[] reach() {
        return reach;
    }

    long rootInode() {
        return rootInode;
    }

    /** Whether this index was read back from the state directory (and so predates the agent's start). */
    public boolean loaded() {
        return loaded;
    }

    private void checkShape() {
        int extents = physical.size();
        for (PackedColumn column : List.of(length, logical, file, flags)) {
            require(column.size() == extents, "extent columns of different lengths");
        }
        int files = inode.size();
        int links = linkDirectory.size();
        int directories = directoryLinkPlusOne.size();
        require(generation.size() == files && firstLink.size() == files + 1, "file columns of different lengths");
        require(nameStart.size() == links + 1 && nameStart.get(links) == names.length, "names do not fit the links");
        require(directories >= 1 && reach.length == (extents + REACH_STRIDE - 1) / REACH_STRIDE, "bad directory or reach table");
        // Values are not checked one by one (a scan of every column cost more than reading them at a cold start): a
        // file with a good checksum holds the columns a build made, and a value out of range could only make a column
        // throw (PackedColumn checks every position), never read another's, while a wrong value in range is a wrong
        // proposal, which confirmation refuses. What is checked is what could loop for ever: a directory
        // is named in one numbered before it (the walk numbers a directory after its parent), so every
        // path leads back to the root in fewer steps than there are directories.
        require(directoryLinkPlusOne.get(0) == 0, "the root has a name");
        for (int d = 1; d < directories; d++) {
            long link = directoryLinkPlusOne.get(d) - 1;
            require(link >= 0 && link < links && linkDirectory.get((int) link) < d, "a directory out of walk order");
        }
    }

    private static void require(boolean holds, String problem) {
        if (!holds) {
            throw new IllegalArgumentException("not a consistent index: " + problem);
        }
    }

    /** The directory the walk started from; every path is under it. */
    public LinuxPath root() {
        return root;
    }

    /** {@link System#nanoTime()} when the walk began: changes after this may be missing. */
    public long startedNanos() {
        return startedNanos;
    }

    public Duration buildTime() {
        return buildTime;
    }

    public int extentCount() {
        return physical.size();
    }

    public int fileCount() {
        return inode.size();
    }

    /** Heap bytes of the extent columns alone. */
    private long extentBytes() {
        return physical.bytes() + length.bytes() + logical.bytes() + file.bytes() + flags.bytes();
    }

    /** Heap bytes of every column, files, links and names included (object headers aside). */
    public long memoryBytes() {
        return extentBytes() + (long) reach.length * Long.BYTES + inode.bytes() + generation.bytes() + firstLink.bytes()
                + linkDirectory.bytes() + nameStart.bytes() + names.length + directoryLinkPlusOne.bytes();
    }

    /**
     * Every indexed extent overlapping {@code [from, to)}, in physical order, untrimmed. These are
     * proposals: the file may have changed since.
     */
    public List<IndexedExtent> overlapping(long from, long to) {
        int[] positions = positionsOverlapping(from, to);
        List<IndexedExtent> found = new ArrayList<>(positions.length);
        for (int position : positions) {
            found.add(extentAt(position));
        }
        return found;
    }

    /** The positions of {@link #overlapping} (ascending), for callers that remember facts per extent. */
    int[] positionsOverlapping(long from, long to) {
        if (to <= from || physical.size() == 0) {
            return new int[0];
        }
        // From the first stride of positions that reaches past `from` to the last extent starting before `to`.
        int last = physical.lastBelow(to);
        int stride = firstStrideReaching(from);
        if (last < 0 || stride < 0) {
            return new int[0];
        }
        int first = stride * REACH_STRIDE;
        int[] found = new int[Math.max(0, last - first + 1)];
        int count = 0;
        for (int i = first; i <= last; i++) {
            if (physical.get(i) + length.get(i) > from) {
                found[count++] = i;
            }
        }
        return count == found.length ? found : Arrays.copyOf(found, count);
    }

    /** The first {@link #reach} entry beyond {@code from}; -1 when no extent ends after it. */
    private int firstStrideReaching(long from) {
        int low = 0;
        int high = reach.length - 1;
        int answer = -1;
        while (low <= high) {
            int middle = (low + high) >>> 1;
            if (reach[middle] > from) {
                answer = middle;
                high = middle - 1;
            } else {
                low = middle + 1;
            }
        }
        return answer;
    }

    /** The extent at a position of {@link #positionsOverlapping}. */
    IndexedExtent extentAt(int i) {
        int f = file.getInt(i);
        return new IndexedExtent(inode.get(f), generation.get(f), logical.get(i), physical.get(i), length.get(i),
                (int) flags.get(i));
    }

    /** The generation the file had when indexed, if it was. */
    public OptionalLong generationOf(long inodeNumber) {
        int f = inode.binarySearch(inodeNumber);
        return f < 0 ? OptionalLong.empty() : OptionalLong.of(generation.get(f));
    }

    /** Every path (hard link) the walk found for the inode, absolute; empty if it found none. */
    public List<LinuxPath> pathsOf(long inodeNumber) {
        List<LinuxPath> paths = new ArrayList<>();
        for (List<LinuxPath> components : linkComponentsOf(inodeNumber)) {
            paths.add(root.join(LinuxPath.ofComponents(components)));
        }
        return paths;
    }

    /**
     * The names leading from {@link #root} to each link of the inode, one list per link; callers that open
     * files re-walk these one component at a time without following symlinks.
     */
    public List<List<LinuxPath>> linkComponentsOf(long inodeNumber) {
        if (inodeNumber == rootInode) {
            return List.of(List.of());
        }
        int f = inode.binarySearch(inodeNumber);
        if (f < 0) {
            return List.of();
        }
        List<List<LinuxPath>> links = new ArrayList<>();
        for (int link = firstLink.getInt(f); link < firstLink.getInt(f + 1); link++) {
            links.add(components(link));
        }
        return links;
    }

    private List<LinuxPath> components(int link) {
        ArrayList<LinuxPath> reversed = new ArrayList<>();
        int current = link;
        while (current >= 0) {
            int nameFrom = nameStart.getInt(current);
            reversed.add(LinuxPath.of(Arrays.copyOfRange(names, nameFrom, nameStart.getInt(current + 1))));
            current = directoryLinkPlusOne.getInt(linkDirectory.getInt(current)) - 1;
        }
        List<LinuxPath> components = new ArrayList<>(reversed.size());
        for (int i = reversed.size() - 1; i >= 0; i--) {
            components.add(reversed.get(i));
        }
        return components;
    }

    // The columns one at a time, for an incremental refresh (IncrementalRefresh), which makes a new index from this one.

    int linkCount() {
        return linkDirectory.size();
    }

    /** The directory (walk number) holding link {@code link}. */
    int directoryOfLink(int link) {
        return linkDirectory.getInt(link);
    }

    byte[] linkName(int link) {
        return Arrays.copyOfRange(names, nameStart.getInt(link), nameStart.getInt(link + 1));
    }

    /** Adds link {@code link}'s name, without a copy of its own, to {@code into} as a name in {@code parent}. */
    int copyLink(int link, IndexAssembler into, int parent, long inodeNumber, boolean isDirectory) {
        int from = nameStart.getInt(link);
        return into.addLink(parent, names, from, nameStart.getInt(link + 1) - from, inodeNumber, isDirectory);
    }

    int directoryCount() {
        return directoryLinkPlusOne.size();
    }

    /** The link naming directory {@code directory}; -1 for the root. */
    int linkOfDirectory(int directory) {
        return directoryLinkPlusOne.getInt(directory) - 1;
    }

    long fileInode(int f) {
        return inode.get(f);
    }

    long fileGeneration(int f) {
        return generation.get(f);
    }

    /** The first link of file {@code f}; {@code firstLinkOf(fileCount())} is where the links of no file start. */
    int firstLinkOf(int f) {
        return firstLink.getInt(f);
    }

    /** The file (position in the file columns) of the extent at position {@code i}. */
    int fileOfExtent(int i) {
        return file.getInt(i);
    }

    int extentFlags(int i) {
        return (int) flags.get(i);
    }

    /** Adds the extent at position {@code i} to {@code into}, as it is. */
    void copyExtent(int i, IndexAssembler into) {
        into.addExtent(inode.get(file.getInt(i)), logical.get(i), physical.get(i), length.get(i), (int) flags.get(i));
    }

    /** The position of {@code inodeNumber} in the file columns; negative when not indexed. */
    int fileNumber(long inodeNumber) {
        return inode.binarySearch(inodeNumber);
    }

    /** An index of nothing, standing in before the first build. */
    static ExtentIndex empty(LinuxPath root) {
        return new IndexAssembler(0).finish(root, System.nanoTime());
    }
}
