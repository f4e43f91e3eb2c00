package io.daxguard.agent.jmx;

import java.util.List;

/**
 * {@code resolveRanges}' answers as columns, for a program that asks thousands of ranges at a time: one
 * CompositeData of arrays instead of a CompositeData per range and per owner. Row {@code j} of every owner column is
 * one owner of range {@code range[j]} (the index in the call's arrays); a range nothing owns has no row. The fields
 * mean what {@link OwnerView}'s do; the administrator's sentence ({@code description}) is left out, since it is made
 * of the other fields.
 *
 * <p>Why it exists: JMX serializes each CompositeData with its own map and boxes, which was half the agent's time
 * in a 1,000-range {@code resolveRanges}; arrays of numbers travel as one block each. The arrays are the call's
 * answer and are not kept or shared, so the record's mutable components do not leak state.
 *
 * @param ranges           how many ranges were asked
 * @param range            per owner: the index of the range it owns bytes of
 * @param kind             per owner: {@code file}, {@code metadata}, {@code free space} or {@code unknown}
 * @param filesystemOffset per owner: first byte on the filesystem's device
 * @param length           per owner: bytes
 * @param inode            per owner: for a file; 0 otherwise
 * @param generation       per owner: for a file; 0 otherwise
 * @param fork             per owner: for a file, {@code DATA}, {@code ATTRIBUTES} or {@code EXTENT_MAP}; empty otherwise
 * @param fileOffset       per owner: for a file, the byte offset in the file (in the fork)
 * @param shared           per owner: for a file, whether other files share the bytes (reflink)
 * @param unwritten        per owner: for a file, whether the bytes are preallocated and unwritten
 * @param paths            per owner: for a file, its names relative to the mount point
 * @param structure        per owner: for metadata, its kind ({@code xfs.log}); for unknown, the reason
 * @param action           per owner: what to do about damage there
 */
public record ResolvedColumns(int ranges, int[] range, String[] kind, long[] filesystemOffset, long[] length,
                              long[] inode, long[] generation, String[] fork, long[] fileOffset, boolean[] shared,
                              boolean[] unwritten, String[][] paths, String[] structure, String[] action) {

    /** The columns of {@code answers}, answer {@code i} being the owners of range {@code i}. */
    static ResolvedColumns of(List<List<OwnerView>> answers) {
        int rows = answers.stream().mapToInt(List::size).sum();
        ResolvedColumns columns = new ResolvedColumns(answers.size(), new int[rows], new String[rows], new long[rows],
                new long[rows], new long[rows], new long[rows], new String[rows], new long[rows], new boolean[rows],
                new boolean[rows], new String[rows][], new String[rows], new String[rows]);
        int row = 0;
        for (int i = 0; i < answers.size(); i++) {
            for (OwnerView owner : answers.get(i)) {
                columns.set(row++, i, owner);
            }
        }
        return columns;
    }

    private void set(int row, int rangeIndex, OwnerView owner) {
        range[row] = rangeIndex;
        kind[row] = owner.kind();
        filesystemOffset[row] = owner.filesystemOffset();
        length[row] = owner.length();
        inode[row] = owner.inode();
        generation[row] = owner.generation();
        fork[row] = owner.fork();
        fileOffset[row] = owner.fileOffset();
        shared[row] = owner.shared();
        unwritten[row] = owner.unwritten();
        paths[row] = owner.paths().toArray(String[]::new);
        structure[row] = owner.structure();
        action[row] = owner.action();
    }
}
