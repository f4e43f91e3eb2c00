package io.daxguard.support.index;

/**
 * Why a {@link LiveReverseMap} built its index, counted per cause ({@link LiveReverseMap#rebuilds()}), so an
 * administrator can tell a map that rebuilds because the filesystem is busy from one that rebuilds for nothing.
 */
public enum RebuildCause {
    /** The build at attach. */
    FIRST_BUILD("first"),
    /**
     * The filesystem's fanotify change count moved since the index build started, and a question found allocated
     * blocks or inline data the index may not know of (rate-limited, {@link IndexOptions#gapRefreshInterval}).
     */
    FILESYSTEM_CHANGED("changed"),
    /**
     * A live confirmation rejected an owner the index proposed (the file's blocks moved since the build), or found
     * its blocks shared where the index says they are not (a dedupe without an event: a full build, rate-limited).
     */
    PROPOSAL_REJECTED("rejected"),
    /**
     * Allocated blocks no file explains, on a filesystem whose changes cannot be counted (no fanotify): the index
     * may be older than a file, so it is rebuilt, rate-limited.
     */
    UNEXPLAINED_BLOCKS("unexplained"),
    /** An inode table asked about on a filesystem whose changes cannot be counted (no fanotify), rate-limited. */
    INLINE_DATA("inline"),
    /**
     * Not a cause but how a refresh of any of the causes above was done: from the previous index and the files
     * fanotify named since its change count ({@link IncrementalRefresh}), reading only those, rather than a full walk.
     * A refresh is counted under its cause when scheduled and moved here once it is done incrementally, so the counts
     * of the causes are full builds and their sum with this one every refresh.
     */
    INCREMENTAL("incremental");

    private final String key;

    RebuildCause(String key) {
        this.key = key;
    }

    /** The short name the status, the MBean and the metrics use ({@code index.rebuilds.<key>}). */
    public String key() {
        return key;
    }
}
