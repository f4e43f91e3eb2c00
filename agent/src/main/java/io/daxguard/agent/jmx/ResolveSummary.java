package io.daxguard.agent.jmx;

import java.util.List;

/**
 * What {@code resolveSummary} found in a range of any size, gathered a page at a time so that only the counts and
 * the first owners are kept.
 *
 * @param offset      first byte
 * @param length      bytes summarized (the whole asked range)
 * @param pages       how many pages of at most {@code mbeans.resolveBytes} it was looked at in
 * @param owners      owners counted; one crossing a page boundary counts once in each page
 * @param kinds       per kind of owner, by kind: how many and their bytes (sharers of a reflinked block each count
 *                    its bytes, so file bytes can add up to more than the range)
 * @param firstOwners the first owners in physical order, with paths, at most as many as asked for
 */
public record ResolveSummary(long offset, long length, long pages, long owners, List<OwnerKindCount> kinds,
                             List<OwnerView> firstOwners) {

    /**
     * @param kind   {@code file DATA}, {@code file ATTRIBUTES}, {@code file EXTENT_MAP}, {@code metadata <structure>},
     *               {@code free space} or {@code unknown}
     * @param owners how many owners of that kind
     * @param bytes  their bytes
     */
    public record OwnerKindCount(String kind, long owners, long bytes) {
    }
}
