package io.daxguard.agent.ledger;

import io.daxguard.spi.FileOwner;
import io.daxguard.spi.Owner;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An owner hit by a damage, with what was known of it at detection, and where its damage stands. The state
 * is per (record, owner): a reflinked block shared by two files is one record with two owners, and rewriting
 * one file closes only that owner's damage.
 *
 * @param filesystem the filesystem the owner's range is relative to
 * @param owner      what the plugin answered; its physical range is filesystem-relative
 * @param paths      for a file, every name it had (relative to the mount, starting with {@code /}); empty for
 *                   anything else, and for a file with no name (unlinked but open)
 * @param state      where this owner's damage stands
 */
public record AffectedOwner(FilesystemRef filesystem, Owner owner, List<String> paths, DamageState state) {
    public AffectedOwner {
        Objects.requireNonNull(filesystem, "filesystem is null");
        Objects.requireNonNull(owner, "owner is null");
        Objects.requireNonNull(state, "state is null");
        paths = List.copyOf(Objects.requireNonNull(paths, "paths is null"));
    }

    /** A newly hit owner: open. */
    public AffectedOwner(FilesystemRef filesystem, Owner owner, List<String> paths) {
        this(filesystem, owner, paths, DamageState.OPEN);
    }

    public Optional<FileOwner> file() {
        return owner instanceof FileOwner file ? Optional.of(file) : Optional.empty();
    }

    /**
     * The identity of the file this owner is, if it is a file, seen on the filesystem's device (the disk is the
     * record's: {@link FileKey#onMedium}).
     */
    public Optional<FileKey> fileKey() {
        return file().map(file -> new FileKey(filesystem.uuid(), filesystem.mountPoint(), file.inode(),
                file.generation(), filesystem.device(), "", file.subvolume()));
    }

    /** Whether this owner is the file {@code key}. */
    public boolean isFile(FileKey key) {
        return owner instanceof FileOwner file && file.inode() == key.inode() && file.generation() == key.generation()
                && file.subvolume() == key.subvolume() && filesystem.uuid().equals(key.filesystemUuid());
    }

    public boolean open() {
        return state == DamageState.OPEN;
    }

    AffectedOwner with(DamageState newState, List<String> newPaths) {
        return new AffectedOwner(filesystem, owner, newPaths == null ? paths : newPaths, newState);
    }
}
