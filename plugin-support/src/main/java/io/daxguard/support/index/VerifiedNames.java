package io.daxguard.support.index;

import io.daxguard.spi.DeviceNumber;
import io.daxguard.support.linux.FileStatus;
import io.daxguard.support.linux.NativeCallException;
import io.daxguard.support.linux.NativeFile;
import io.daxguard.spi.LinuxPath;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The names an {@link ExtentIndex} keeps, checked against the live tree before they are given out: every name
 * must still lead to the inode on the index's device ({@code statx} without following a final symlink, its directories
 * opened beneath the root with no symlink followed and no other mount entered), and a
 * regular file must have
 * no more links than names (else a hard link was made since the walk, and its name is missing). The same rule
 * as the agent's own walk applies ({@link FileStatus#ofPathBeneath}, {@link FileStatus#hasNoMoreLinksThan}), so a
 * holder with an index spares the agent a second walk of the tree.
 * Checked names are remembered in the {@link ConfirmedFacts.Epoch} until the filesystem next changes.
 */
final class VerifiedNames {
    private VerifiedNames() {
    }

    /**
     * Every checked name of every inode; empty as soon as one inode cannot be vouched for. With {@code current}
     * ({@link IndexFreshness#namesCurrent}: nothing changed a name since the index's walk began) the walk's names are
     * the answer as they are: they were read from the live directories after the last change.
     */
    static Optional<Map<Long, List<LinuxPath>>> of(ExtentIndex index, ConfirmedFacts.Epoch epoch,
                                                   Collection<Long> inodes, boolean current) {
        if (current) {
            return asWalked(index, inodes);
        }
        Map<Long, List<LinuxPath>> answer = new HashMap<>();
        DeviceNumber device = null;
        for (long inode : inodes) {
            List<LinuxPath> names = epoch.paths(inode);
            if (names == null) {
                try {
                    device = device != null ? device : FileStatus.ofPathNoFollow(index.root()).device();
                } catch (NativeCallException unmounted) {
                    return Optional.empty();
                }
                names = checked(index, device, inode);
                if (names == null) {
                    return Optional.empty();
                }
                epoch.rememberPaths(inode, names);
            }
            answer.put(inode, names);
        }
        return Optional.of(answer);
    }

    /** The walk's names of every inode; empty when it met one under no name (it may be new, or have none). */
    private static Optional<Map<Long, List<LinuxPath>>> asWalked(ExtentIndex index, Collection<Long> inodes) {
        Map<Long, List<LinuxPath>> answer = new HashMap<>();
        for (long inode : inodes) {
            List<LinuxPath> names = relativeNames(index.linkComponentsOf(inode));
            if (names.isEmpty()) {
                return Optional.empty();
            }
            answer.put(inode, names);
        }
        return Optional.of(answer);
    }

    /**
     * The names of the links, sorted by bytes, as the agent's own walk gives them: a file's first name (the ledger's
     * display path) must not depend on which of the two answered, nor on the order the walk met the links.
     */
    private static List<LinuxPath> relativeNames(List<List<LinuxPath>> links) {
        List<LinuxPath> names = new ArrayList<>(links.size());
        for (List<LinuxPath> components : links) {
            names.add(LinuxPath.ROOT.join(LinuxPath.ofComponents(components)));
        }
        names.sort(null);
        return names;
    }

    /**
     * The inode's names if every one leads to it and none is missing; null otherwise. Each name's directories are
     * opened beneath the root with no symbolic link followed and no other mount entered: a directory renamed and
     * replaced by a link to its new name (or a bind mount over it) would still lead a path to the file, through a
     * name that is not one of its links.
     */
    private static List<LinuxPath> checked(ExtentIndex index, DeviceNumber device, long inode) {
        List<List<LinuxPath>> links = index.linkComponentsOf(inode);
        if (links.isEmpty()) {
            return null;
        }
        List<LinuxPath> names = new ArrayList<>(links.size());
        try (NativeFile root = NativeFile.openDirectory(index.root())) {
            for (List<LinuxPath> components : links) {
                LinuxPath relative = LinuxPath.ROOT.join(LinuxPath.ofComponents(components));
                FileStatus status = statusBeneath(root, components);
                if (status == null || status.inode() != inode || !status.device().equals(device)
                        || !status.hasNoMoreLinksThan(links.size())) {
                    return null;
                }
                names.add(relative);
            }
        } catch (IOException e) {
            return null;
        }
        names.sort(null); // as relativeNames
        return names;
    }

    /** The status of the last of {@code components} (not followed), reached from {@code root} as above; or null. */
    private static FileStatus statusBeneath(NativeFile root, List<LinuxPath> components) {
        if (components.isEmpty()) {
            return null;
        }
        try {
            return FileStatus.ofPathBeneath(root, LinuxPath.ROOT.join(LinuxPath.ofComponents(components)));
        } catch (IOException gone) {
            return null;
        }
    }
}
