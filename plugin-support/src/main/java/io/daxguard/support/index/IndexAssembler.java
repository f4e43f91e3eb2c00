package io.daxguard.support.index;

import io.daxguard.spi.LinuxPath;
import java.time.Duration;
import java.util.Arrays;

/**
 * Collects what a walk finds, in walk order, into growable primitive columns, and sorts them into an
 * {@link ExtentIndex}. Directory numbering follows {@link io.daxguard.support.linux.DirectoryWalk}: the root is
 * 0 and every directory link added gets the next number. Not thread-safe; one builder thread owns it.
 */
final class IndexAssembler implements FileMapper.Sink {
    private final long rootInode;
    // Extents in walk order.
    private long[] extentPhysical = new long[1024];
    private long[] extentLength = new long[1024];
    private long[] extentLogical = new long[1024];
    private long[] extentInode = new long[1024];
    private byte[] extentFlags = new byte[1024];
    private int extents;
    // Files.
    private long[] fileInode = new long[256];
    private int[] fileGeneration = new int[256];
    private int files;
    // Links.
    private long[] linkInode = new long[256];
    private int[] linkDirectory = new int[256];
    private int[] linkNameStart = new int[256];
    private int[] linkNameLength = new int[256];
    private byte[] names = new byte[4096];
    private int nameBytes;
    private int links;
    // Directories: the link naming each; the root (0) has none.
    private int[] directoryLink = {-1, 0, 0, 0, 0, 0, 0, 0};
    private int directories = 1;

    IndexAssembler(long rootInode) {
        this.rootInode = rootInode;
    }

    /**
     * Records that directory {@code parent} has {@code name} (its bytes, kept as they are) for {@code inode}.
     *
     * @return the new directory's number when {@code isDirectory}, else -1
     */
    int addLink(int parent, byte[] name, long inode, boolean isDirectory) {
        return addLink(parent, name, 0, name.length, inode, isDirectory);
    }

    /** {@link #addLink(int, byte[], long, boolean)} of the name {@code source[from, from + length)}. */
    int addLink(int parent, byte[] source, int from, int length, long inode, boolean isDirectory) {
        if (parent < 0 || parent >= directories) {
            throw new IllegalArgumentException("no directory " + parent);
        }
        if (links == linkInode.length) {
            int grown = links * 2;
            linkInode = Arrays.copyOf(linkInode, grown);
            linkDirectory = Arrays.copyOf(linkDirectory, grown);
            linkNameStart = Arrays.copyOf(linkNameStart, grown);
            linkNameLength = Arrays.copyOf(linkNameLength, grown);
        }
        if (nameBytes + length > names.length) {
            names = Arrays.copyOf(names, Math.max(names.length * 2, nameBytes + length));
        }
        System.arraycopy(source, from, names, nameBytes, length);
        linkInode[links] = inode;
        linkDirectory[links] = parent;
        linkNameStart[links] = nameBytes;
        linkNameLength[links] = length;
        nameBytes += length;
        int link = links++;
        if (!isDirectory) {
            return -1;
        }
        if (directories == directoryLink.length) {
            directoryLink = Arrays.copyOf(directoryLink, directories * 2);
        }
        directoryLink[directories] = link;
        return directories++;
    }

    /** Records a file (or directory) that was opened and mapped; once per inode. */
    void addFile(long inode, long generation) {
        if (files == fileInode.length) {
            fileInode = Arrays.copyOf(fileInode, files * 2);
            fileGeneration = Arrays.copyOf(fileGeneration, files * 2);
        }
        fileInode[files] = inode;
        fileGeneration[files] = (int) generation;
        files++;
    }

    void addExtent(long inode, long logical, long physical, long length, int flags) {
        if (length <= 0 || physical < 0) {
            return;
        }
        if (extents == extentPhysical.length) {
            int grown = extents * 2;
            extentPhysical = Arrays.copyOf(extentPhysical, grown);
            extentLength = Arrays.copyOf(extentLength, grown);
            extentLogical = Arrays.copyOf(extentLogical, grown);
            extentInode = Arrays.copyOf(extentInode, grown);
            extentFlags = Arrays.copyOf(extentFlags, grown);
        }
        extentPhysical[extents] = physical;
        extentLength[extents] = length;
        extentLogical[extents] = logical;
        extentInode[extents] = inode;
        extentFlags[extents] = (byte) flags;
        extents++;
    }

    @Override
    public void file(long inode, long generation) {
        addFile(inode, generation);
    }

    @Override
    public void extent(long inode, long logical, long physical, long length, int flags) {
        addExtent(inode, logical, physical, length, flags);
    }

    int extentCount() {
        return extents;
    }

    int fileCount() {
        return files;
    }

    /** Sorts the columns into an index. Extents of files never added are dropped. */
    ExtentIndex finish(LinuxPath root, long startedNanos) {
        int[] fileOrder = PrimitiveSort.order(fileInode, files);
        long[] sortedInodes = PrimitiveSort.permute(fileInode, fileOrder);
        int[] sortedGenerations = PrimitiveSort.permute(fileGeneration, fileOrder);

        // Links grouped by file, in the files' order. Links of inodes that were never mapped (a directory that
        // could not be opened) go after all of them: paths still run through such directories.
        int[] linkOrder = PrimitiveSort.order(linkInode, links);
        int[] newLinkNumber = new int[links];
        Arrays.fill(newLinkNumber, -1);
        int[] firstLink = new int[sortedInodes.length + 1];
        int[] keptDirectory = new int[links];
        int[] keptNameStart = new int[links + 1];
        byte[] keptNames = new byte[nameBytes];
        int kept = 0;
        int keptBytes = 0;
        int f = 0;
        for (int pass = 0; pass < 2; pass++) {
            for (int i = 0; i < links; i++) {
                int link = linkOrder[i];
                if (pass == 0) {
                    long inode = linkInode[link];
                    while (f < sortedInodes.length && sortedInodes[f] < inode) {
                        firstLink[++f] = kept;
                    }
                    if (f >= sortedInodes.length || sortedInodes[f] != inode) {
                        continue;
                    }
                } else if (newLinkNumber[link] >= 0) {
                    continue;
                }
                newLinkNumber[link] = kept;
                keptDirectory[kept] = linkDirectory[link];
                keptNameStart[kept] = keptBytes;
                System.arraycopy(names, linkNameStart[link], keptNames, keptBytes, linkNameLength[link]);
                keptBytes += linkNameLength[link];
                kept++;
            }
            if (pass == 0) {
                while (f < sortedInodes.length) {
                    firstLink[++f] = kept;
                }
            }
        }
        keptNameStart[kept] = keptBytes;
        int[] directories = Arrays.copyOf(directoryLink, this.directories);
        for (int d = 1; d < directories.length; d++) {
            directories[d] = newLinkNumber[directories[d]];
        }

        int[] extentOrder = PrimitiveSort.order(extentPhysical, extents);
        int[] extentFile = new int[extents];
        int known = 0;
        for (int i = 0; i < extents; i++) {
            int at = Arrays.binarySearch(sortedInodes, extentInode[extentOrder[i]]);
            if (at >= 0) {
                extentOrder[known] = extentOrder[i];
                extentFile[known] = at;
                known++;
            }
        }
        int[] order = Arrays.copyOf(extentOrder, known);
        return new ExtentIndex(root, rootInode, startedNanos, Duration.ofNanos(System.nanoTime() - startedNanos),
                PrimitiveSort.permute(extentPhysical, order), PrimitiveSort.permute(extentLength, order),
                PrimitiveSort.permute(extentLogical, order), Arrays.copyOf(extentFile, known),
                PrimitiveSort.permute(extentFlags, order), sortedInodes, sortedGenerations, firstLink,
                Arrays.copyOf(keptDirectory, kept), Arrays.copyOf(keptNameStart, kept + 1),
                Arrays.copyOf(keptNames, keptBytes), directories);
    }
}
