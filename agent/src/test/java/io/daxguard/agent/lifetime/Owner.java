package io.daxguard.agent.lifetime;

/**
 * What holds a damaged range, as the ground truth and the ledger can both say it: a file (by inode), a metadata
 * structure (by daxguard's kind name, for example {@code xfs.static}), or free space.
 *
 * @param kind      {@code FILE}, {@code METADATA} or {@code FREE}, the ledger's words
 * @param inode     for a file; 0 otherwise
 * @param structure for metadata; empty otherwise
 */
record Owner(String kind, long inode, String structure) {
    static Owner file(long inode) {
        return new Owner("FILE", inode, "");
    }

    static Owner metadata(String structure) {
        return new Owner("METADATA", 0, structure);
    }

    static Owner free() {
        return new Owner("FREE", 0, "");
    }

    boolean isFile() {
        return kind.equals("FILE");
    }

    @Override
    public String toString() {
        return isFile() ? "file inode " + inode : kind.equals("METADATA") ? structure : "free space";
    }
}
