package io.daxguard.agent.recovery;

import io.daxguard.spi.ReplicaProvider;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Replicas from mirror directory trees: the file {@code /dir/a} of the filesystem mounted at {@code /mnt/data}
 * is restored from {@code <mirror>/dir/a}, where {@code mirror} is the tree configured for {@code /mnt/data}
 * (an rsync target, a backup mount, a snapshot directory).
 */
public final class MirrorTreeReplicaProvider implements ReplicaProvider {
    private final Map<Path, Path> mirrors;

    /** @param mirrors mount point to the root of its mirror tree */
    public MirrorTreeReplicaProvider(Map<Path, Path> mirrors) {
        this.mirrors = Map.copyOf(Objects.requireNonNull(mirrors, "mirrors is null"));
    }

    @Override
    public String name() {
        return "mirror";
    }

    @Override
    public Optional<Path> replicaOf(Path mountPoint, String path, long inode, long generation) {
        Path root = mirrors.get(mountPoint);
        if (root == null || !path.startsWith("/")) {
            return Optional.empty();
        }
        Path replica = root.resolve(path.substring(1)).normalize();
        if (!replica.startsWith(root) || !Files.exists(replica, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        return Optional.of(replica);
    }
}
