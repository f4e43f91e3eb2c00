package io.daxguard.agent.recovery;

import io.daxguard.agent.ledger.DamagedFile;
import io.daxguard.agent.ledger.FileKey;
import io.daxguard.spi.LinuxPath;
import io.daxguard.spi.ReplicaProvider;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the configured {@link ReplicaProvider} keeps a good copy of a damaged file: what {@code restoreFromReplica}
 * (an operator's button or a recovery policy's {@code restore} step) copies from, and what a policy's dry run
 * reports. The answer is only a path; {@link Replica} checks it (under the replica roots, no symlink) when it is
 * opened.
 */
public final class ReplicaLookup {
    private ReplicaLookup() {
    }

    /**
     * A provider's good copy.
     *
     * @param path     where it is, in display form
     * @param sha256   its whole content's SHA-256 (hex) as the provider recorded it, when it records one
     * @param provider the provider's name, for messages
     */
    public record ReplicaCopy(String path, Optional<String> sha256, String provider) {
    }

    /**
     * The replica of {@code file} (its names now) on the filesystem mounted at {@code mountPoint}, in display form.
     *
     * @throws IllegalStateException naming why there is none: no provider configured, no copy, the provider failed,
     *                               or a name the provider's {@link Path}s cannot hold
     */
    public static String replicaOf(RecoverySettings settings, LinuxPath mountPoint, DamagedFile file) {
        return copyOf(settings, mountPoint, file).path();
    }

    /** {@link #replicaOf}, with the checksum the provider recorded for the copy (asked only once there is a copy). */
    public static ReplicaCopy copyOf(RecoverySettings settings, LinuxPath mountPoint, DamagedFile file) {
        ReplicaProvider provider = settings.replicaProvider().orElseThrow(() -> new IllegalStateException(
                "restoreFromReplica: no replica provider is configured; use restoreFrom(path)"));
        String mount = jdkText(mountPoint.display());
        String path = jdkText(file.displayPath());
        FileKey key = file.key();
        try {
            Path replica = provider.replicaOf(Path.of(mount), path, key.inode(), key.generation())
                    .orElseThrow(() -> new IllegalStateException("restoreFromReplica: replica provider "
                            + provider.name() + " has no copy of " + LinuxPath.joinDisplayed(mount,
                            file.displayPath())));
            return new ReplicaCopy(LinuxPath.of(replica).display(), provider.sha256Of(replica), provider.name());
        } catch (IOException e) {
            throw new IllegalStateException("restoreFromReplica: replica provider " + provider.name() + " failed: "
                    + e.getMessage());
        }
    }

    /**
     * A recorded path (display form) as the text the replica SPI takes: it speaks {@link Path}s, which hold only
     * names this JVM's charset encodes. A name that is not UTF-8, or that this JVM cannot encode (non-ASCII under
     * {@code LANG=C}), is refused rather than looked up under a wrong name.
     */
    private static String jdkText(String display) {
        byte[] bytes = LinuxPath.fromDisplay(display).bytes();
        String text = new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        boolean exact;
        try {
            exact = LinuxPath.of(Path.of(text)).equals(LinuxPath.of(bytes));
        } catch (java.nio.file.InvalidPathException unencodable) {
            exact = false;
        }
        if (!exact) {
            throw new IllegalStateException("restoreFromReplica: " + display + " cannot be named to a replica provider"
                    + " (it is not text in this JVM's charset, " + System.getProperty("sun.jnu.encoding")
                    + "); use restoreFrom(path) with the replica's path");
        }
        return text;
    }
}
