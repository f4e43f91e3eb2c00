package io.daxguard.spi;

import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Names of inodes a holder knows without the agent walking the tree: a holder that built its own index by
 * walking the tree (ext4, XFS without rmapbt), or a filesystem with parent pointers. See
 * {@link Holder#pathNames()}.
 */
@FunctionalInterface
public interface PathNames {
    /**
     * Every name of every inode asked, relative to the mount point and starting with {@code /}
     * ({@code "/dir/file"}; the root is {@code "/"}), as bytes, each checked against the live filesystem: it leads to
     * that inode now, and a regular file has no more links than names. Empty when the holder cannot vouch for
     * every inode asked (one it does not know, a name that moved, a link made since it looked); the agent then
     * walks the tree itself. Never a partial or unchecked answer.
     */
    Optional<Map<Long, List<LinuxPath>>> pathsOf(Collection<Long> inodes) throws IOException;

    /**
     * The names of inodes of one subvolume ({@link FileOwner#subvolume()}), as {@link #pathsOf(Collection)} does
     * for the only one; relative to the mount point, through the subvolume's place in the filesystem. By default,
     * {@link #pathsOf(Collection)} for {@link FileOwner#ONE_INODE_SPACE} and "cannot tell" for any other.
     */
    default Optional<Map<Long, List<LinuxPath>>> pathsOf(long subvolume, Collection<Long> inodes) throws IOException {
        return subvolume == FileOwner.ONE_INODE_SPACE ? pathsOf(inodes) : Optional.empty();
    }
}
