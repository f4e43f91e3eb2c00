package io.daxguard.agent.recovery;

import io.daxguard.spi.ReplicaProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Replicas from mirror directory trees: the file {@code /dir/a} of the filesystem mounted at {@code /mnt/data}
 * is restored from {@code <mirror>/dir/a}, where {@code mirror} is the tree configured for {@code /mnt/data}
 * (an rsync target, a backup mount, a snapshot directory). A {@code sha256sum} file beside a replica
 * ({@code <mirror>/dir/a.sha256}, as mirrors and release trees ship them) is its recorded checksum.
 */
public final class MirrorTreeReplicaProvider implements ReplicaProvider {
    private static final int SHA256_HEX_DIGITS = 64;
    private static final java.util.regex.Pattern SHA256_HEX = java.util.regex.Pattern.compile(
            "[0-9a-fA-F]{64}(\\s.*)?", java.util.regex.Pattern.DOTALL);
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

    /**
     * The checksum in {@code <replica>.sha256} ({@code sha256sum} output: 64 hex digits first), if that is a regular
     * file (not followed if a symlink); a file in another shape is refused rather than ignored, so a mirror's
     * broken manifest is seen.
     */
    @Override
    public Optional<String> sha256Of(Path replica) throws IOException {
        Path sidecar = replica.resolveSibling(replica.getFileName() + ".sha256");
        if (!Files.isRegularFile(sidecar, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        byte[] head;
        try (java.io.InputStream in = Files.newInputStream(sidecar, LinkOption.NOFOLLOW_LINKS)) {
            head = in.readNBytes(SHA256_HEX_DIGITS + 1);
        }
        String text = new String(head, java.nio.charset.StandardCharsets.US_ASCII);
        if (!SHA256_HEX.matcher(text).matches()) {
            throw new IOException(sidecar + " does not start with a SHA-256 (64 hexadecimal digits, then a space or"
                    + " the end): it is not a sha256sum file");
        }
        return Optional.of(text.substring(0, SHA256_HEX_DIGITS).toLowerCase(java.util.Locale.ROOT));
    }
}
