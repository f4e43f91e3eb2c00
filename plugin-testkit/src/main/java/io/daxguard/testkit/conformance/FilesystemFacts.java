package io.daxguard.testkit.conformance;

import java.util.List;

/**
 * What the filesystem's own tools say of it now: metadata and free ranges, found without the plugin under test
 * (for example {@code xfs_io -c "fsmap -m"}, or {@code dumpe2fs}). Each list may be a subset (say, the inode table
 * of group 0 only), but what it names must be true: the suite asks for the facts again after it changes files and
 * after {@code syncfs}, so on-disk tools read the allocation as the kernel has it.
 *
 * @param metadata ranges held by the filesystem's metadata (superblocks, logs, inode tables...), at least one
 * @param free     ranges free now, at least one of a block or more
 */
public record FilesystemFacts(List<KnownRange> metadata, List<KnownRange> free) {
    public FilesystemFacts {
        metadata = List.copyOf(metadata);
        free = List.copyOf(free);
        if (metadata.isEmpty()) {
            throw new IllegalArgumentException("name at least one metadata range");
        }
        if (free.isEmpty()) {
            throw new IllegalArgumentException("name at least one free range");
        }
    }

    /** The largest free range, where the suite's free-space queries go. */
    public KnownRange largestFree() {
        KnownRange largest = free.get(0);
        for (KnownRange range : free) {
            if (range.length() > largest.length()) {
                largest = range;
            }
        }
        return largest;
    }

    /** The largest metadata range. */
    public KnownRange largestMetadata() {
        KnownRange largest = metadata.get(0);
        for (KnownRange range : metadata) {
            if (range.length() > largest.length()) {
                largest = range;
            }
        }
        return largest;
    }
}
