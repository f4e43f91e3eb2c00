package io.daxguard.spi.index;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
 * <p>Memory: extents are parallel primitive columns sorted by physical start, {@value #BYTES_PER_EXTENT}
 * bytes each (physical 8, length 8, logical 8, file 4, flags 1). Each indexed file costs 12 bytes (inode 8,
 * generation 4) plus 4 for its first link; each link (a name in a directory) costs 8 bytes plus its UTF-8
 * name; each directory 4 more. Safe to read from any number of threads.
 */
public final class ExtentIndex {
    /** Bytes of the extent columns per extent. */
    public static final int BYTES_PER_EXTENT = 8 + 8 + 8 + 4 + 1;

    private final Path root;
    private final long startedNanos;
    private final Duration buildTime;
    // Extents, sorted by physical.
    private final long[] physical;
    private final long[] length;
    private final long[] logical;
    private final int[] file;
    private final byte[] flags;
    private final long longestExtent;
    // Files, sorted by inode; links of file f are [firstLink[f], firstLink[f+1]).
    private final long[] inode;
    private final int[] generation;
    private final int[] firstLink;
    // Links: the directory holding the name, and the name's bytes [nameStart[l], nameStart[l+1]).
    private final int[] linkDirectory;
    private final int[] nameStart;
    private final byte[] names;
    // Directories by walk index (root 0): the link naming each, -1 for the root.
    private final int[] directoryLink;
    private final long rootInode;

    ExtentIndex(Path root, long rootInode, long startedNanos, Duration buildTime, long[] physical, long[] length,
                long[] logical,
                int[] file, byte[] flags, long[] inode, int[] generation, int[] firstLink, int[] linkDirectory,
                int[] nameStart, byte[] names, int[] directoryLink) {
        this.root = Objects.requireNonNull(root, "root is null");
        this.startedNanos = startedNanos;
        this.buildTime = Objects.requireNonNull(buildTime, "buildTime is null");
        this.physical = physical;
        this.length = length;
        this.logical = logical;
        this.file = file;
        this.flags = flags;
        this.inode = inode;
        this.generation = generation;
        this.firstLink = firstLink;
        this.linkDirectory = linkDirectory;
        this.nameStart = nameStart;
        this.names = names;
        this.directoryLink = directoryLink;
        this.rootInode = rootInode;
        long longest = 0;
        for (long each : length) {
            longest = Math.max(longest, each);
        }
        this.longestExtent = longest;
    }

    /** The directory the walk started from; every path is under it. */
    public Path root() {
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
        return physical.length;
    }

    public int fileCount() {
        return inode.length;
    }

    /** Approximate heap bytes held by the columns, names included. */
    public long memoryBytes() {
        return (long) extentCount() * BYTES_PER_EXTENT + (long) inode.length * 16 + (long) linkDirectory.length * 8
                + names.length + (long) directoryLink.length * 4;
    }

    /**
     * Every indexed extent overlapping {@code [from, to)}, in physical order, untrimmed. These are
     * proposals: the file may have changed since.
     */
    public List<IndexedExtent> overlapping(long from, long to) {
        List<IndexedExtent> found = new ArrayList<>();
        if (to <= from || physical.length == 0) {
            return found;
        }
        // Last extent starting before `to`, then back while an extent starting there could still reach `from`.
        int last = lastStartingBefore(to);
        int first = last;
        while (first >= 0 && physical[first] + longestExtent > from) {
            first--;
        }
        for (int i = first + 1; i <= last; i++) {
            if (physical[i] + length[i] > from) {
                found.add(extent(i));
            }
        }
        return found;
    }

    private int lastStartingBefore(long to) {
        int low = 0;
        int high = physical.length - 1;
        int answer = -1;
        while (low <= high) {
            int middle = (low + high) >>> 1;
            if (physical[middle] < to) {
                answer = middle;
                low = middle + 1;
            } else {
                high = middle - 1;
            }
        }
        return answer;
    }

    private IndexedExtent extent(int i) {
        int f = file[i];
        return new IndexedExtent(inode[f], generation[f] & 0xffff_ffffL, logical[i], physical[i], length[i],
                flags[i] & 0xff);
    }

    /** The generation the file had when indexed, if it was. */
    public OptionalLong generationOf(long inodeNumber) {
        int f = Arrays.binarySearch(inode, inodeNumber);
        return f < 0 ? OptionalLong.empty() : OptionalLong.of(generation[f] & 0xffff_ffffL);
    }

    /** Every path (hard link) the walk found for the inode, absolute; empty if it found none. */
    public List<Path> pathsOf(long inodeNumber) {
        if (inodeNumber == rootInode) {
            return List.of(root);
        }
        int f = Arrays.binarySearch(inode, inodeNumber);
        if (f < 0) {
            return List.of();
        }
        List<Path> paths = new ArrayList<>(firstLink[f + 1] - firstLink[f]);
        for (int link = firstLink[f]; link < firstLink[f + 1]; link++) {
            paths.add(root.resolve(String.join("/", components(link))));
        }
        return paths;
    }

    /**
     * The names leading from {@link #root} to each link of the inode, one list per link; callers that open
     * files re-walk these one component at a time without following symlinks.
     */
    public List<List<String>> linkComponentsOf(long inodeNumber) {
        if (inodeNumber == rootInode) {
            return List.of(List.of());
        }
        int f = Arrays.binarySearch(inode, inodeNumber);
        if (f < 0) {
            return List.of();
        }
        List<List<String>> links = new ArrayList<>();
        for (int link = firstLink[f]; link < firstLink[f + 1]; link++) {
            links.add(components(link));
        }
        return links;
    }

    private List<String> components(int link) {
        ArrayList<String> reversed = new ArrayList<>();
        int current = link;
        while (current >= 0) {
            reversed.add(new String(names, nameStart[current], nameStart[current + 1] - nameStart[current],
                    StandardCharsets.UTF_8));
            current = directoryLink[linkDirectory[current]];
        }
        List<String> components = new ArrayList<>(reversed.size());
        for (int i = reversed.size() - 1; i >= 0; i--) {
            components.add(reversed.get(i));
        }
        return components;
    }

    /** An index of nothing, standing in before the first build. */
    static ExtentIndex empty(Path root) {
        return new IndexAssembler(0).finish(root, System.nanoTime());
    }
}
