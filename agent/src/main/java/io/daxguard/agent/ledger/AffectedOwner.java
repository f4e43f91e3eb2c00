package io.daxguard.agent.ledger;

import io.daxguard.spi.FileOwner;
import io.daxguard.spi.Owner;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An owner hit by a damage, with what was known of it at detection.
 *
 * @param filesystem the filesystem the owner's range is relative to
 * @param owner      what the plugin answered; its physical range is filesystem-relative
 * @param paths      for a file, every name it had (relative to the mount, starting with {@code /}); empty for
 *                   anything else, and for a file with no name (unlinked but open)
 */
public record AffectedOwner(FilesystemRef filesystem, Owner owner, List<String> paths) {
    public AffectedOwner {
        Objects.requireNonNull(filesystem, "filesystem is null");
        Objects.requireNonNull(owner, "owner is null");
        paths = List.copyOf(Objects.requireNonNull(paths, "paths is null"));
    }

    public Optional<FileOwner> file() {
        return owner instanceof FileOwner file ? Optional.of(file) : Optional.empty();
    }
}
